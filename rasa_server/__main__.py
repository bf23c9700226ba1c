"""`python -m rasa_server run ...`: Rasa's own command line, with rasa_server/patches/resilience.py installed.

Without `--cors`, `run` allows the browser origins of CORS_ORIGINS (rasa_server/channels/{checks,rest,widget}.py), the same
ones the socket.io channel accepts.
"""
from __future__ import annotations

import sys

from rasa_server.patches import resilience


def with_cors(argv):
    if argv[:1] == ["run"] and argv[1:2] != ["actions"] and "--cors" not in argv:
        from rasa_server.channels.checks import cors_origins

        return [*argv, "--cors", *cors_origins()]
    return argv


def main() -> None:
    resilience.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = [sys.argv[0], *with_cors(sys.argv[1:])]
    rasa_main()


if __name__ == "__main__":
    main()
