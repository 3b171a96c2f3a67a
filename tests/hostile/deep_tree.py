"""Leave a tree no recursive walk survives: 1,200 levels deep with data at the bottom, a path
longer than PATH_MAX, folders and files of mode 000, links out of the folder, then exit 1."""

import os

import safety

safety.check()

start = os.open(".", os.O_RDONLY)
for _ in range(1200):
    os.mkdir("d")
    os.chdir("d")
with open("bottom.bin", "wb") as out:
    out.write(b"x" * (1024 * 1024))
os.chdir(start)
long_name = "n" * 250
for _ in range(24):  # 24 * 251 bytes: far past PATH_MAX (4096)
    os.mkdir(long_name)
    os.chdir(long_name)
with open("far.txt", "w") as out:
    out.write("far")
os.symlink("/", "root-link")
os.symlink("/etc/passwd", "passwd-link")
os.chdir(start)
os.mkdir("locked")
with open("locked/secret", "w") as out:
    out.write("x")
os.chmod("locked/secret", 0)
os.chmod("locked", 0)
os.symlink("/usr", "usr-link")
print("left a deep tree, a long path, mode-000 folders and links", flush=True)
raise SystemExit(1)
