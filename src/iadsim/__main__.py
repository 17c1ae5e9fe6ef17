"""``python -m iadsim`` runs the command line."""

from iadsim.cli import main

main()
