"""Pure domain rules of the credential station.

Nothing in this package does I/O or imports Kivy, OpenCV, CUPS, HTTP or SQL; a test in
``tests/test_architecture.py`` fails if it starts to.
"""
