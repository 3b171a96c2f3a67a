"""Write one file without bound, 1 MiB at a time, into the work folder."""

import safety

safety.check()

chunk = b"\0" * (1024 * 1024)
with open("huge.bin", "wb") as out:
    while True:
        out.write(chunk)
        out.flush()
