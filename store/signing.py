"""The record key: an Ed25519 key, kept outside the database, that signs the audit log.

Each audit entry is signed as it is appended (over its position and its chain hash, which covers
its content and everything before it), and so is the head. Someone who can write the database
but does not hold the key can recompute hashes, but not signatures: a forged, altered, inserted
or deleted entry, or a head moved back, fails `verify` with the public key. Signed checkpoints
(`store.anchor`) guard the past even against a holder of the key. docs/guarantees.md has the
whole argument.

The key lives in a PEM file readable by its owner only (`KSGOV_RECORD_KEY_FILE`, by default
`record-key` in the data directory, made on first use by a process that writes records).
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
import weakref
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy.engine import Connection, Engine

from store.files import private_dir


class RecordKeyError(ValueError):
    """The record key is missing, unreadable, malformed or readable by others (one line)."""


def entry_message(seq: int, chain_hash: str) -> bytes:
    """What an entry's signature covers: its position and its chain hash."""
    return f"ksgov-audit-entry\n{seq}\n{chain_hash}".encode()


def head_message(seq: int, chain_hash: str) -> bytes:
    """What the head's signature covers; another text than an entry's, so that the signature of
    entry n cannot be copied into a head cut back to n."""
    return f"ksgov-audit-head\n{seq}\n{chain_hash}".encode()


@dataclass(frozen=True)
class PublicKey:
    """The public half: what an auditor keeps to check signatures and checkpoints."""

    key: Ed25519PublicKey

    @classmethod
    def from_text(cls, text: str, source: str) -> PublicKey:
        """A public key from PEM (`ksgov audit public-key`) or from 32 bytes in base64."""
        try:
            if "BEGIN PUBLIC KEY" in text:
                loaded = serialization.load_pem_public_key(text.encode())
                if not isinstance(loaded, Ed25519PublicKey):
                    raise ValueError("not Ed25519")
                return cls(loaded)
            return cls(Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True)))
        except ValueError:
            raise RecordKeyError(f"{source}: not an Ed25519 public key") from None

    @property
    def raw(self) -> str:
        """The 32 bytes of the key in base64: its id in checkpoints."""
        data = self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(data).decode()

    def pem(self) -> str:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def verifies(self, signature: str, message: bytes) -> bool:
        try:
            self.key.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class RecordKey:
    """The private key that signs; its repr shows the public half only."""

    key: Ed25519PrivateKey

    def __repr__(self) -> str:
        return f"RecordKey(public={self.public.raw!r})"

    @classmethod
    def generate(cls) -> RecordKey:
        return cls(Ed25519PrivateKey.generate())

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.key.public_key())

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.key.sign(message)).decode()

    def pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @classmethod
    def from_pem(cls, data: bytes, source: str) -> RecordKey:
        try:
            loaded = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise RecordKeyError(f"{source}: not a PEM private key") from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise RecordKeyError(f"{source}: not an Ed25519 key")
        return cls(loaded)


def read_record_key(path: Path, *, create: bool) -> RecordKey:
    """The record key in `path`; a new one written there (0600) if missing and `create`. A file
    other users can read is refused: with it they could sign a forged log."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if not create:
            raise RecordKeyError(f"KSGOV_RECORD_KEY_FILE: {path} does not exist") from None
        made = RecordKey.generate()
        if _create_private(path, made.pem()):
            return made
        return read_record_key(path, create=False)  # another process made it first
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise RecordKeyError(
            f"KSGOV_RECORD_KEY_FILE: {path} can be read by other users: chmod 600 it"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RecordKeyError(f"KSGOV_RECORD_KEY_FILE: {path}: {exc.strerror}") from None
    return RecordKey.from_pem(data, f"KSGOV_RECORD_KEY_FILE {path}")


def _create_private(path: Path, data: bytes) -> bool:
    """Write `path` (0600) whole, only if it does not exist; False if another process did."""
    private_dir(path.parent)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    try:
        os.link(partial, path)
    except FileExistsError:
        return False
    finally:
        partial.unlink()
    return True


# The key each engine's appends are signed with: set once where the engine is made for a writer.
_SIGNERS: weakref.WeakKeyDictionary[Engine, RecordKey] = weakref.WeakKeyDictionary()


def sign_with(engine: Engine, key: RecordKey) -> Engine:
    """Have the audit entries appended through `engine` signed with `key`; returns `engine`."""
    _SIGNERS[engine] = key
    return engine


def signer_for(bind: Engine | Connection) -> RecordKey | None:
    """The key of the engine behind `bind`, or None: its entries are then left unsigned, which
    `verify` with a public key reports as a broken entry."""
    engine = bind.engine if isinstance(bind, Connection) else bind
    return _SIGNERS.get(engine)
