"""The imperative shell: reads the world once, loads the incident, carries out the core's plan
through the adapters and writes the record."""
