"""`python -m xshell.bench`: how fast xshell is, measured against references in the same run.

Absolute numbers depend on the machine; ratios to a reference measured on the same
loopback server, interleaved (A B A B …) and taken as medians, mostly do not. So every
client figure runs xshell and its reference (a raw websockets loop, pyxows, jsxapi) in
turn against the bench's own minimal JSON-RPC server, which runs in its own process and
answers far faster than any client can ask — the client is always the thing measured.
The simulator's own throughput is a separate, informational figure.

This package is a tool for developers, not part of the shell: nothing in xshell imports
it, and its optional peers (pyxows from the `[bench]` extra, jsxapi via node) are used
only when present.
"""
