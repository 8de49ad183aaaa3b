"""Output formats: how answers, errors and feedback become lines, one module per format.

`format_registry` finds every module of this package that defines `FORMAT` (an object
satisfying `output_format.OutputFormat`) and is the one place the rest of xshell asks:
`-o` choices, the settings file's `[main] output`, the `output` and `xPreferences
outputmode` commands and their completion, the session's rendering, snapshots' JSON
answers and the fleet display all read it. To add a format, add one module here with a
`FORMAT` (see terminal.py for the shape), then name it in the shell completion files
(completions/) and default.toml's comment; tests/integration/test_formats.py says if you forget.
"""
