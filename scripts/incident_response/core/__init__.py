"""The functional core: decisions from the incident as GitHub has it. No I/O, no clock, no
environment; nothing here imports the shell, the adapters or a vendor SDK."""
