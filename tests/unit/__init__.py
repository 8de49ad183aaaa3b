"""Unit tests: pure code, no socket, no process, no terminal (prompt-toolkit apps on pipe input count)."""
