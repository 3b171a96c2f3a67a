"""A run's policy, apart from any command line: what to run, what to resume, what to hide.

``request.py`` holds the typed request (every default written once), ``continuation.py`` the
rules for ``--resume`` and ``--retry-failed``, ``session.py`` the plan, the sandbox, the loop
and the run's own report. The CLI and ``showdown.api`` both go through ``session``.
"""
