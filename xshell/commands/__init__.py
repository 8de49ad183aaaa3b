"""The shell-command registry (registry.py) and one module per command family.

Importing this package hands lang and the session the registry; the command modules are
discovered and imported on first need (registry.install says why).
"""

from xshell.commands.registry import install

install()
