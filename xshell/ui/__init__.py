"""xshell.ui: the interactive screens (full-screen `app`, plain line mode `plain`).

The only package that imports prompt-toolkit. It owns no protocol logic: it drives a
`xshell.contract.ShellBackend`, whose plain-data completion and highlighting `adapters`
turn into prompt-toolkit's types.
"""
