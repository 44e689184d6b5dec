"""`python -m gateway` runs the command-line interface."""

from gateway.server.cli import main

main()
