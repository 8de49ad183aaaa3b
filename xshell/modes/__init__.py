"""One module per run mode: script (-c/-f/stdin, --follow) and interactive."""

import xshell.commands  # noqa: F401 - every run mode answers the registry's shell commands
