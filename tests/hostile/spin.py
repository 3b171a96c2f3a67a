"""Spin forever on the CPU, ignoring the polite signals."""

import signal

import safety

safety.check()

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
