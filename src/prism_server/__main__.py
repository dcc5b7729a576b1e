"""``python -m prism_server``."""

from prism_server.cli import main

main()
