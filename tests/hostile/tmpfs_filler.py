"""Fill the sandbox's private /tmp with files each under the file-size limit (256 MiB at most)."""

import os

import safety

safety.check()

block = b"x" * (1024 * 1024)
written = 0
for index in range(32):
    with open(f"/tmp/fill-{index}", "wb") as out:
        for _ in range(8):
            out.write(block)
            out.flush()
            written += 1
            print(f"wrote {written} MiB to /tmp", flush=True)
print("filled", os.listdir("/tmp")[:3])
