"""End-to-end tests: real xshell / xshell-sim processes (clirun, simproc) and terminals (pexpect)."""
