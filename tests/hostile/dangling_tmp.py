"""Replace the work folder's .tmp with a dangling link and lock the folder itself (mode 000),
so the next step finds neither a TMPDIR nor its own files."""

import os
import shutil

import safety

safety.check()

shutil.rmtree(".tmp")
os.symlink("/nonexistent/elsewhere", ".tmp")
print("replaced .tmp with a dangling link", flush=True)
os.chmod(".", 0)
