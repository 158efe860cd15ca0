"""The station's own Ed25519 signing key, kept in a private PEM file.

The key signs every credential QR the station issues. Losing it does not break cards already
issued (their public key stays in the trust list), but a copy in the wrong hands can forge
cards, so the file must be readable by its owner only (mode 0600) and live in its own folder.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> key = StationKey.generate(folder / "llave" / "estacion.pem")
>>> len(key.key_id), len(key.public_bytes()), len(key.sign(b"hola"))
(8, 32, 64)
>>> StationKey.load(folder / "llave" / "estacion.pem").key_id == key.key_id
True
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from foundation.atomic_files import create_atomic
from foundation.errors import CredentialError

KEY_ID_LEN = 8
"""Bytes of SHA-256(raw public key) that name a key in QR headers and trust lists."""

_HELP = "Pida ayuda a soporte de su DRSE."


def key_id_for(public_key: bytes) -> bytes:
    """The key id of a raw 32-byte Ed25519 public key: the first 8 bytes of its SHA-256.

    >>> key_id_for(bytes(32)).hex()
    '66687aadf862bd77'
    """
    return hashlib.sha256(public_key).digest()[:KEY_ID_LEN]


class StationKey:
    """A loaded station key. It never exposes the private bytes; it only signs."""

    __slots__ = ("_key_id", "_private", "_public", "path")

    def __init__(self, private: Ed25519PrivateKey, path: Path | None = None) -> None:
        self._private = private
        self._public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._key_id = key_id_for(self._public)
        self.path = path

    def __repr__(self) -> str:
        return f"StationKey(key_id={self._key_id.hex()}, path={self.path})"

    @property
    def key_id(self) -> bytes:
        """8 bytes naming this key (see :func:`key_id_for`)."""
        return self._key_id

    def public_bytes(self) -> bytes:
        """The raw 32-byte Ed25519 public key, as the trust list stores it."""
        return self._public

    def sign(self, data: bytes) -> bytes:
        """A 64-byte Ed25519 signature of ``data``."""
        return self._private.sign(data)

    @classmethod
    def generate(cls, path: Path) -> StationKey:
        """Create a new key at ``path`` (mode 0600; a missing parent folder is made 0700).

        Refuses to overwrite an existing file: replacing the key by accident would leave the
        station signing with a key nobody trusts yet.
        """
        path = Path(path)
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            if not path.parent.is_dir():
                path.parent.mkdir(mode=0o700, parents=True)
                os.chmod(path.parent, 0o700)  # mkdir's mode is filtered by the umask
            create_atomic(path, pem, mode=0o600)
        except FileExistsError:
            raise CredentialError(
                f"Ya existe una clave de estación en «{path.name}»; no se reemplaza para no "
                "invalidar las credenciales ya emitidas.",
                way_out="Si de verdad necesita una clave nueva, pídalo a soporte de su DRSE.",
            ) from None
        except OSError as exc:
            raise CredentialError(
                f"No se pudo guardar la clave de la estación en «{path.name}»: {exc.strerror}.",
                way_out=_HELP,
            ) from exc
        return cls(private, path)

    @classmethod
    def load(cls, path: Path) -> StationKey:
        """Load the key at ``path``; refuse it when group or others may read it."""
        path = Path(path)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise CredentialError(
                f"No se encontró la clave de la estación en «{path.name}».", way_out=_HELP
            ) from None
        except OSError as exc:
            raise CredentialError(
                f"No se pudo abrir la clave de la estación «{path.name}»: {exc.strerror}.",
                way_out=_HELP,
            ) from exc
        # fstat on the open descriptor: the permissions checked are those of the bytes read.
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise CredentialError(
                    f"«{path.name}» no es un archivo de clave de estación.", way_out=_HELP
                )
            if info.st_mode & 0o077:
                mode = oct(stat.S_IMODE(info.st_mode))[2:]
                raise CredentialError(
                    f"La clave de la estación «{path.name}» tiene permisos {mode}: otros usuarios "
                    "del equipo podrían copiarla y falsificar credenciales.",
                    way_out="Llame a su DRSE y dígales que la clave de la estación debe "
                    "poder leerla sólo su dueño.",
                    command=f"chmod 600 {path}",
                )
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read()
        except OSError as exc:
            raise CredentialError(
                f"No se pudo leer la clave de la estación «{path.name}»: {exc.strerror}.",
                way_out=_HELP,
            ) from exc
        finally:
            os.close(fd)
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            private = None
        if not isinstance(private, Ed25519PrivateKey):
            raise CredentialError(
                f"El archivo «{path.name}» está dañado o no es una clave de estación Ed25519.",
                way_out=_HELP,
            )
        return cls(private, path)

    @classmethod
    def load_or_create(cls, path: Path) -> StationKey:
        """Load the key at ``path``, or generate it there on the station's first run."""
        path = Path(path)
        if not path.exists():
            try:
                return cls.generate(path)
            except CredentialError:
                if not path.exists():  # lost a creation race: the winner's key is loaded below
                    raise
        return cls.load(path)


def load_or_create(path: Path) -> StationKey:
    """Module-level shortcut for :meth:`StationKey.load_or_create`."""
    return StationKey.load_or_create(path)
