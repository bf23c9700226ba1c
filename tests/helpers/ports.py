"""Free TCP ports on loopback: the launcher's helper (launcher/ports.py)."""
from __future__ import annotations

from launcher.ports import free_port

__all__ = ["free_port"]
