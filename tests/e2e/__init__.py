"""End to end: the real program, its real clients, over HTTPS to the loopback fakes."""
