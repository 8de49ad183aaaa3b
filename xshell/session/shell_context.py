"""What several device sessions of one xshell run share.

One `ShellContext` per run, handed to every `Session`: a transcript started with
`log start FILE` (or `--log`) records every device of the shell, and run-time
settings reach each session the same way, without module-level globals that
tests would have to reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xshell.options import Options


@dataclass
class ShellContext:
    """Shared, mutable run state. Fields are filled by the mode that starts the run.

    transcript: the open transcript (xshell.session.transcript), or None when not logging.
    settings: the loaded configuration (xshell.config), or None for built-in defaults.
    """

    transcript: Any = None
    settings: Any = None

    @classmethod
    def for_run(cls, options: Options) -> ShellContext:
        """The run's context from the command line: its settings, and the transcript when
        `--log FILE` asks for one. Raises TranscriptError (one line naming the file)."""
        context = cls(settings=options.settings)
        path = options.output.log
        if path:
            from xshell.session.transcript import open_transcript

            context.transcript = open_transcript(path, options.output.log_format)
        return context

    def close(self) -> None:
        """End the run: close the transcript, if one is open (its last records flushed)."""
        if self.transcript is not None:
            self.transcript.close()
