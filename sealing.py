"""Sealed payloads: every Temporal payload ksgov writes is encrypted before it leaves the process.

Workflow inputs, update arguments, activity inputs and results carry names, genders and e-mail
addresses; Temporal keeps them in its histories (and its database) until retention. The payload
codec here seals each payload with AES-256-GCM under the keyring's current key and writes the key
id in the payload's metadata, so a payload sealed under an older key still opens after a rotation
as long as that key stays in the ring. Failure messages and stack traces are sealed too (the
failure converter encodes them as a payload), so an error never shows a name in clear.

Keys come from `KSGOV_PAYLOAD_KEYS` or from a key file (`KSGOV_PAYLOAD_KEY_FILE`, by default
`payload-keys` in the data directory, created with a new key on first use and readable by its owner
only), never from the code. The format and rotation are in docs/security.md.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
import secrets
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

ENCODING = b"binary/ksgov-sealed"
KEY_ID = "ksgov-key-id"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
_KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,40}")


class KeyringError(ValueError):
    """The keys are missing, malformed or unsafe; the message is one line and shows no key."""


class SealError(ValueError):
    """A sealed payload cannot be opened: unknown key id, or altered or truncated data."""


@dataclass(frozen=True)
class Keyring:
    """AES-256 keys by id: `current` seals, every key opens what it sealed."""

    current: str
    keys: Mapping[str, bytes] = dataclasses.field(repr=False)

    def __repr__(self) -> str:
        return f"Keyring(current={self.current!r}, ids={sorted(self.keys)!r})"

    @classmethod
    def generate(cls) -> Keyring:
        """A keyring of one new random key."""
        key_id = f"k-{secrets.token_hex(4)}"
        return cls(key_id, {key_id: AESGCM.generate_key(bit_length=256)})

    @classmethod
    def parse(cls, text: str, source: str) -> Keyring:
        """Keys from `id:base64` entries separated by commas or lines (`#` starts a comment);
        the first seals. `source` names where the text came from, for the error."""
        entries = [
            e.strip()
            for line in text.splitlines()
            for e in line.split("#", 1)[0].split(",")
            if e.strip()
        ]
        if not entries:
            raise KeyringError(f"{source}: no key (expected id:base64-key, the first seals)")
        keys: dict[str, bytes] = {}
        for number, entry in enumerate(entries, start=1):
            key_id, sep, encoded = entry.partition(":")
            key_id = key_id.strip()
            if not sep or not _KEY_ID_PATTERN.fullmatch(key_id):
                raise KeyringError(
                    f"{source}: key {number} is not id:base64-key "
                    "(an id of letters, digits, '.', '_' or '-')"
                )
            try:
                key = base64.b64decode(encoded.strip(), validate=True)
            except binascii.Error:
                raise KeyringError(f"{source}: key {key_id!r} is not base64") from None
            if len(key) != KEY_BYTES:
                raise KeyringError(
                    f"{source}: key {key_id!r} has {len(key)} bytes; AES-256 needs {KEY_BYTES}"
                )
            if key_id in keys:
                raise KeyringError(f"{source}: key id {key_id!r} appears twice")
            keys[key_id] = key
        return cls(next(iter(keys)), keys)

    def text(self) -> str:
        """The keyring as a key file (or an environment value): the current key first."""
        ordered = [self.current, *(k for k in self.keys if k != self.current)]
        return "".join(f"{k}:{base64.b64encode(self.keys[k]).decode()}\n" for k in ordered)

    def value(self) -> str:
        """The keyring as one line for KSGOV_PAYLOAD_KEYS (entries separated by commas)."""
        return self.text().strip().replace("\n", ",")

    def rotated(self) -> Keyring:
        """This keyring with a new current key; the old keys stay to open what they sealed."""
        new = Keyring.generate()
        return Keyring(new.current, {**new.keys, **self.keys})


def read_key_file(path: Path, *, create: bool) -> Keyring:
    """The keyring in `path`; a new one written there (mode 0600) if it is missing and `create`.

    A key file that other users can read is refused: its keys open every history."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if not create:
            raise KeyringError(f"KSGOV_PAYLOAD_KEY_FILE: {path} does not exist") from None
        ring = Keyring.generate()
        if write_key_file(path, ring, replace=False):
            return ring
        return read_key_file(path, create=False)  # another process made it first: use its key
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyringError(
            f"KSGOV_PAYLOAD_KEY_FILE: {path} can be read by other users: chmod 600 it"
        )
    return Keyring.parse(path.read_text(encoding="utf-8"), f"KSGOV_PAYLOAD_KEY_FILE {path}")


def write_key_file(path: Path, ring: Keyring, *, replace: bool = True) -> bool:
    """Write the keyring to `path` whole or not at all, readable by its owner only; without
    `replace`, only if no file is there (False if one is: two processes starting at once on a
    new data directory must not each seal under a key of their own). store/signing.py makes the
    record key the same way; this module may not import the record store, so each has its own."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# ksgov payload keys: id:base64, the first seals. Keep secret; back up.\n")
        out.write(ring.text())
    if replace:
        os.replace(partial, path)
        return True
    try:
        os.link(partial, path)
    except FileExistsError:
        return False
    finally:
        partial.unlink()
    return True


class SealingCodec(PayloadCodec):
    """AES-256-GCM over each whole payload, the key id in the metadata and bound to the data."""

    def __init__(self, ring: Keyring) -> None:
        self._ring = ring
        self._ciphers = {key_id: AESGCM(key) for key_id, key in ring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(p) for p in payloads]

    def seal(self, payload: Payload) -> Payload:
        key_id = self._ring.current
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=nonce + sealed
        )

    def open(self, payload: Payload) -> Payload:
        """The payload inside a sealed one; an unsealed payload (written by hand with the
        Temporal CLI, say) passes as it is."""
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise SealError(
                f"a payload is sealed with key {key_id!r}, which this process does not have "
                "(KSGOV_PAYLOAD_KEYS or KSGOV_PAYLOAD_KEY_FILE)"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            inner = cipher.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag:
            raise SealError(f"a payload sealed with key {key_id!r} was altered") from None
        return Payload.FromString(inner)


def sealed(converter: DataConverter, ring: Keyring) -> DataConverter:
    """`converter` with its payloads and its failures' messages sealed under `ring`."""
    return dataclasses.replace(
        converter,
        payload_codec=SealingCodec(ring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
