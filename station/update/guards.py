"""When a release may be installed: inside the maintenance window, never while printing.

Printing is "in progress" when the print lock is held (``station.store.print_files``) or the
ledger has sheets sent to the printer in the last 2 hours that nobody confirmed yet
(``station.core.releases.printing_in_progress``).
"""

from __future__ import annotations

from datetime import datetime
from gettext import ngettext
from pathlib import Path

from station.core.releases import in_window, parse_window, printing_in_progress
from station.store.data_folder import DataFolder
from station.store.print_files import printing_locked, sent_sheet_times


def why_not_now(data_dir: Path, window: str, now: datetime) -> str | None:
    """Why the install must wait (Spanish), or None when it may go ahead."""
    if not in_window(parse_window(window), now.time()):
        return (f"fuera del horario de mantenimiento ({window}); se instalará dentro de ese "
                "horario")
    folder = DataFolder(data_dir)
    if printing_locked(folder):
        return "se está imprimiendo; se instalará cuando termine la impresión"
    busy = printing_in_progress(sent_sheet_times(folder), now)
    if busy:
        return ngettext("hay {n} planilla enviada a la impresora sin confirmar",
                        "hay {n} planillas enviadas a la impresora sin confirmar",
                        busy).format(n=busy) + ("; confirme o marque las planillas y se "
                                                "instalará después")
    return None
