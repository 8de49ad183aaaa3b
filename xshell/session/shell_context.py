"""What several device sessions of one xshell run share.

One `ShellContext` per run, handed to every `Session`: a transcript started with
`log start FILE` (or `--log`) records every device of the shell, and run-time
settings reach each session the same way, without module-level globals that
tests would have to reset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xshell.session.guard_policy import GuardPolicy

if TYPE_CHECKING:
    from xshell.options import Options


@dataclass
class ShellContext:
    """Shared, mutable run state. Fields are filled by the mode that starts the run.

    transcript: the open transcript (xshell.session.transcript), or None when not logging.
    settings: the loaded configuration (xshell.config), or None for built-in defaults.
    guard: what is asked about or refused before it is sent (xshell.session.guard_policy).
    """

    transcript: Any = None
    settings: Any = None
    # `await terminal(fn)` runs fn (an editor) with the terminal handed over: the full
    # screen suspends itself (set by the interactive mode); None: scripts run it directly.
    terminal: Any = None
    guard: GuardPolicy = field(default_factory=GuardPolicy)
    # Scripts: new feedback is shown after the last line only with --follow (or a watch),
    # and trace frames go to stderr; shell commands say so instead of "in the pane".
    follows: bool = True
    trace_to: str = ""

    @classmethod
    def for_run(cls, options: Options) -> ShellContext:
        """The run's context from the command line: its settings, and the transcript when
        `--log FILE` asks for one. Raises TranscriptError (one line naming the file)."""
        context = cls(settings=options.settings,
                      guard=GuardPolicy.from_settings(options.settings, yes=options.guard.yes,
                                                      read_only=options.guard.read_only))
        path = options.output.log
        if path:
            from xshell.session.transcript import open_transcript

            context.transcript = open_transcript(path, options.output.log_format)
        return context

    def close(self) -> None:
        """End the run: close the transcript, if one is open (its last records flushed)."""
        if self.transcript is not None:
            self.transcript.close()
