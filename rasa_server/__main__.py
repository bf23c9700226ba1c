"""`python -m rasa_server run ...`: Rasa's own command line, with the patches of rasa_server/patches/ installed.

Without `--cors`, `run` allows the browser origins of CORS_ORIGINS (rasa_server/channels/{checks,rest,widget}.py),
the same ones the socket.io channel accepts. A Rasa other than the one the patches were written for
stops the start-up with a message naming the patch and both versions.
"""
from __future__ import annotations

import sys

from backoffice_career.no_jax import block_jax
from rasa_server.patches import RasaVersionError, install_all


def with_cors(argv):
    if argv[:1] == ["run"] and argv[1:2] != ["actions"] and "--cors" not in argv:
        from rasa_server.channels.checks import cors_origins

        return [*argv, "--cors", *cors_origins()]
    return argv


def main() -> None:
    block_jax()  # before Rasa imports TensorFlow
    try:
        install_all()
    except RasaVersionError as error:
        raise SystemExit(f"rasa_server: {error}") from error
    from rasa.__main__ import main as rasa_main

    sys.argv = [sys.argv[0], *with_cors(sys.argv[1:])]
    rasa_main()


if __name__ == "__main__":
    main()
