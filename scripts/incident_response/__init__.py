"""GitHub-native incident response: the issue is the record, the Action is the runtime."""

__all__ = ["__version__"]

__version__ = "0.1.0"
