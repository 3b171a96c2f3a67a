"""showdown: which model should I run for coding on this hardware, how fast, and is its code good?"""

__version__ = "0.1.0"
__all__ = ["__version__"]
