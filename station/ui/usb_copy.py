"""The "Copiar a memoria USB" button: copies a file the station made onto the stick plugged
in, through :func:`station.services.usb_copy.copy_to_stick` (written, flushed, read back and
compared), and says when the stick may be pulled out — or why it could not be copied."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from foundation.errors import DomainError
from station.services.usb_copy import CopiedFile, copy_to_stick
from station.ui import dialogs
from station.ui.i18n import _
from station.ui.widgets import TouchButton
from station.ui.worker import Job


class UsbCopyButton(TouchButton):
    """Copies ``file()`` onto the USB stick when touched; one copy at a time."""

    def __init__(self, app: Any, file: Callable[[], Path], **kwargs: Any) -> None:
        kwargs.setdefault("text", _("Copiar a memoria USB"))
        kwargs.setdefault("icon", "document")
        kwargs.setdefault("style", "secondary")
        kwargs.setdefault("kid", "usb_copy")
        super().__init__(**kwargs)
        self.app = app
        self.file = file
        self.copied: CopiedFile | None = None
        self.bind(on_release=lambda *_: self.copy())

    def copy(self) -> None:
        path = self.file()
        self.disabled = True
        self.idle_text, self.text = self.text, _("Copiando… no retire la memoria")
        self.app.run_job(Job(
            _("Memoria USB"),
            lambda progress: copy_to_stick(path, on_chunk=lambda done, total: progress(
                done / total if total else 1.0, "")),
            on_done=self._copied, on_error=self._failed, keeps_awake=False))

    def _done(self) -> None:
        self.disabled = False
        self.text = self.idle_text

    def _copied(self, copied: CopiedFile) -> None:
        self._done()
        self.copied = copied
        dialogs.show(kind="ok", title=_("Copiado a la memoria USB"), message=copied.message_es,
                     kid="usb_copied")

    def _failed(self, error: BaseException) -> None:
        self._done()
        if not isinstance(error, DomainError):
            raise error
        dialogs.show_error(error)
