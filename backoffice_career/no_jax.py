"""JAX stays out of the servers' processes.

TensorFlow 2.12 requires JAX (for TF Lite conversion) and bm25s imports it for a top-k the knowledge base never
calls (it reads bm25s' score matrix itself). Imported, JAX loads XLA and compiles a kernel: about 0.5 s and
66 MB in the Rasa server, 108 MB in the action server (docs/performance.md). Both libraries go without it.
"""
from __future__ import annotations

import sys


def block_jax() -> None:
    """`import jax` fails from now on in this process (Python's import system: a None entry in sys.modules);
    TensorFlow and bm25s catch that ImportError. Call it before anything imports TensorFlow or bm25s."""
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]
