"""Fill the work folder with many files, each under the file-size limit.

argv[3]: MiB per file; argv[4]: the most MiB in all (so a broken sandbox cannot fill the host).
"""

import sys

import safety

safety.check()

each, most = int(sys.argv[3]), int(sys.argv[4])
block = b"x" * (1024 * 1024)
written = 0
for index in range(most // each):
    with open(f"fill-{index}.bin", "wb") as out:
        for _ in range(each):
            out.write(block)
            out.flush()
            written += 1
    print(f"wrote {written} MiB", flush=True)
print("wrote everything it asked for", flush=True)
