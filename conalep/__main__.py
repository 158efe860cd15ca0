"""``python -m conalep`` is the ``conalep`` command."""

from conalep.cli import main

main()
