"""`python -m addons.server run ...`: Rasa's own command line, with addons/resilience.py installed."""
from __future__ import annotations

from addons import resilience


def main() -> None:
    resilience.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
