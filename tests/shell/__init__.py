"""The shell's tests: execute, the record's claims and merges, the drill, the
configuration, with in-memory stand-ins as the adapters."""
