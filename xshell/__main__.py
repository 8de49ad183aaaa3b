"""`python -m xshell` is the `xshell` command."""

from xshell.cli import main

raise SystemExit(main())
