"""Replace the work folder's .tmp with a dangling link, so the next step finds no TMPDIR."""

import os
import shutil

import safety

safety.check()

shutil.rmtree(".tmp")
os.symlink("/nonexistent/elsewhere", ".tmp")
print("replaced .tmp with a dangling link", flush=True)
