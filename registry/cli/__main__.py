"""`python -m registry.cli`."""

from registry.cli.main import main

main()
