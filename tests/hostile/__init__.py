"""A hostile device on loopback, and a table of scenarios the real CLI must survive.

See hostile_server.py (the device), scenario.py and scenarios*.py (the table), runner.py
and launch.py (running the CLI, bounded), test_hostile.py (the runs) and test_judge.py.
"""
