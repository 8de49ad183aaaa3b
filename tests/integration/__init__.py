"""Integration tests: in process, over the loopback simulator (the sim/client fixtures, serve(), Simulator)."""
