"""How tools/export_onnx.py and its modules stop: ``error: <what to fix>`` on stderr and exit
status 1, never a traceback, since the reader is a team exporting its encoder, not a developer
of the tool."""

from __future__ import annotations

from typing import NoReturn


def fail(message: str) -> NoReturn:
    raise SystemExit(f"error: {message}")
