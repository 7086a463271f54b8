"""The core's unit tests: plans, rules and texts, with no fakes and no I/O."""
