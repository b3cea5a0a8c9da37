"""What a submission controls, made safe to show in a terminal.

A student's code chooses its exception messages, what it prints and the names of its files; shown as
they are, a control character could clear the screen, move the cursor or print a fake score. Every
front end that writes to a terminal shows such text through ``visible``.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but newline and tab


def visible(text: str) -> str:
    """``text`` with every control character but newline and tab written as an escape, such as ``\\x1b``."""
    return CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
