"""Each adapter and each loopback fake against what the vendor really answers: recordings
and cassettes."""
