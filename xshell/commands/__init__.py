"""The shell-command registry and one module per command family."""
