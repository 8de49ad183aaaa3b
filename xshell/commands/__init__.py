"""The shell-command registry (registry.py) and one module per command family.

Importing this package builds the registry and hands lang its command words.
"""

from xshell.commands.registry import all_commands

all_commands()
