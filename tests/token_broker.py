"""A token command, as a company's token broker would be: prints the next token of a queue."""

from __future__ import annotations

import sys
from pathlib import Path

BROKER = """\
import sys
from pathlib import Path
queue = Path(sys.argv[1])
lines = queue.read_text().splitlines()
if not lines:
    sys.exit(0)
queue.write_text("".join(line + "\\n" for line in lines[1:]))
print(lines[0])
"""


def broker(tmp_path: Path, *tokens: str) -> list[str]:
    """A token command that prints the next token of its queue on each run."""
    script = tmp_path / "broker.py"
    script.write_text(BROKER)
    queue = tmp_path / "queue.txt"
    queue.write_text("".join(t + "\n" for t in tokens))
    return [sys.executable, str(script), str(queue)]
