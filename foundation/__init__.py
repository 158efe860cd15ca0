"""What the station, central and conalep all stand on.

Nothing here imports ``station``, ``central`` or ``conalep``, and nothing here needs Kivy,
OpenCV, CUPS or a database driver: a central or conalep server installs it without them.
See ``docs/architecture.md``.
"""
