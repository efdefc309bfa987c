"""Sealed payloads: what the codec writes cannot be read, altered or opened without its key."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError
from typer.testing import CliRunner

from cli.main import build_app
from config import Settings, SettingsError, load_settings
from connection import data_converter
from domain.gender import Gender
from models.payloads import PersonIn
from sealing import (
    ENCODING,
    KEY_ID,
    Keyring,
    KeyringError,
    SealError,
    SealingCodec,
    read_key_file,
    write_key_file,
)

NAME, EMAIL = "Kari Nordmann", "kari.nordmann@kommune.invalid"


def key(byte: int) -> str:
    return base64.b64encode(bytes([byte]) * 32).decode()


async def test_a_sealed_payload_shows_no_name_or_address_and_opens_to_the_same_value() -> None:
    ring = Keyring.generate()
    person = PersonIn(person_id="p-1", name=NAME, gender=Gender.FEMALE, email=EMAIL)
    converter = data_converter(ring)
    (payload,) = await converter.encode([person])
    assert payload.metadata["encoding"] == ENCODING
    assert payload.metadata[KEY_ID] == ring.current.encode()
    assert NAME.encode() not in payload.SerializeToString()
    assert EMAIL.encode() not in payload.SerializeToString()
    assert await converter.decode([payload], [PersonIn]) == [person]


async def test_a_failure_message_is_sealed_too() -> None:
    converter = data_converter(Keyring.generate())
    failure = Failure()
    await converter.encode_failure(ApplicationError(f"no address for {NAME}"), failure)
    assert NAME not in failure.message
    assert NAME.encode() not in failure.SerializeToString()
    decoded = await converter.decode_failure(failure)
    assert NAME in str(decoded)


async def test_a_rotated_keyring_opens_what_the_old_key_sealed_and_seals_with_the_new() -> None:
    old = Keyring.generate()
    (payload,) = await SealingCodec(old).encode([Payload(data=b"x")])
    new = old.rotated()
    assert new.current != old.current
    assert set(new.keys) == {old.current, new.current}
    assert (await SealingCodec(new).decode([payload]))[0].data == b"x"
    (again,) = await SealingCodec(new).encode([Payload(data=b"x")])
    assert again.metadata[KEY_ID] == new.current.encode()


async def test_a_payload_under_an_unknown_key_or_altered_is_refused() -> None:
    (payload,) = await SealingCodec(Keyring.generate()).encode([Payload(data=b"x")])
    with pytest.raises(SealError, match="which this process does not have"):
        await SealingCodec(Keyring.generate()).decode([payload])
    ring = Keyring.parse(f"a:{key(1)}", "test")
    (payload,) = await SealingCodec(ring).encode([Payload(data=b"x")])
    tampered = Payload(metadata=payload.metadata, data=payload.data[:-1] + b"\0")
    with pytest.raises(SealError, match="was altered"):
        await SealingCodec(ring).decode([tampered])
    relabelled = Payload(metadata={**payload.metadata, KEY_ID: b"b"}, data=payload.data)
    both = Keyring.parse(f"a:{key(1)},b:{key(1)}", "test")
    with pytest.raises(SealError, match="was altered"):  # the key id is bound to the data
        await SealingCodec(both).decode([relabelled])


async def test_an_unsealed_payload_passes_as_it_is() -> None:
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"x"')
    assert await SealingCodec(Keyring.generate()).decode([plain]) == [plain]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no key"),
        ("# only a comment\n", "no key"),
        (key(1), "key 1 is not id:base64-key"),
        (f"a b:{key(1)}", "key 1 is not id:base64-key"),
        ("a:not base64!", "key 'a' is not base64"),
        (f"a:{base64.b64encode(b'short').decode()}", "has 5 bytes; AES-256 needs 32"),
        (f"a:{key(1)},a:{key(2)}", "key id 'a' appears twice"),
    ],
)
def test_a_bad_keyring_is_one_line_that_shows_no_key(text: str, words: str) -> None:
    with pytest.raises(KeyringError, match=words) as caught:
        Keyring.parse(text, "test")
    assert "\n" not in str(caught.value)
    assert key(1) not in str(caught.value)


def test_the_first_key_seals_and_comments_and_blank_lines_are_skipped() -> None:
    ring = Keyring.parse(f"# keys\nb:{key(2)}  # new\n\na:{key(1)}\n", "test")
    assert ring.current == "b"
    assert list(ring.keys) == ["b", "a"]
    assert Keyring.parse(ring.text(), "test") == ring == Keyring.parse(ring.value(), "test")
    assert key(2) not in repr(ring)


def test_the_data_directorys_key_file_is_made_once_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = settings.keyring()
    path = tmp_path / "data" / "payload-keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.keyring() == first  # read back, not made again
    path.chmod(0o644)
    with pytest.raises(KeyringError, match="can be read by other users: chmod 600 it"):
        settings.keyring()


def test_a_named_key_file_must_exist_and_the_setting_wins_over_any_file(tmp_path: Path) -> None:
    missing = tmp_path / "keys"
    with pytest.raises(KeyringError, match="does not exist"):
        Settings(payload_key_file=missing).keyring()
    ring = Keyring.generate()
    write_key_file(missing, ring)
    assert Settings(payload_key_file=missing).keyring() == ring
    assert read_key_file(missing, create=False) == ring
    other = Keyring.parse(f"x:{key(3)}", "test")
    assert Settings(payload_key_file=missing, payload_keys=other.value()).keyring() == other  # type: ignore[arg-type]
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no partial file left


def test_a_bad_keys_setting_is_refused_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KSGOV_PAYLOAD_KEYS", f"a:{key(1)},a:{key(1)}")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("KSGOV_PAYLOAD_KEYS: key id 'a' appears twice")
    assert key(1) not in message
    assert "a value not shown" in message


def test_two_processes_making_the_key_file_at_once_end_with_one_key(tmp_path: Path) -> None:
    path = tmp_path / "payload-keys"
    theirs = Keyring.generate()
    assert write_key_file(path, theirs, replace=False)
    assert not write_key_file(path, Keyring.generate(), replace=False)  # the second one loses
    assert read_key_file(path, create=True) == theirs
    assert sorted(os.listdir(tmp_path)) == ["payload-keys"]


def test_keys_rotate_puts_a_new_key_first_and_keeps_the_old_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KSGOV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KSGOV_PAYLOAD_KEYS", raising=False)
    first = CliRunner().invoke(build_app(), ["keys", "rotate", "--json"])
    assert first.exit_code == 0, first.output
    made = json.loads(first.stdout)
    assert made["keys"] == 1
    ring = read_key_file(tmp_path / "payload-keys", create=False)
    second = CliRunner().invoke(build_app(), ["keys", "rotate"])
    assert second.exit_code == 0
    rotated = read_key_file(tmp_path / "payload-keys", create=False)
    assert list(rotated.keys)[1:] == [ring.current]
    assert rotated.keys[ring.current] == ring.keys[ring.current]
    assert f"Key {rotated.current} seals from now on" in second.stdout
    assert base64.b64encode(rotated.keys[rotated.current]).decode() not in second.stdout


def test_keys_rotate_refuses_a_key_file_others_can_read_and_keys_set_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keys"
    write_key_file(path, Keyring.generate())
    path.chmod(0o640)
    refused = CliRunner().invoke(build_app(), ["keys", "rotate", "--file", str(path)])
    assert refused.exit_code == 2
    assert "can be read by other users" in refused.stderr
    monkeypatch.setenv("KSGOV_PAYLOAD_KEYS", f"a:{key(1)}")
    refused = CliRunner().invoke(build_app(), ["keys", "rotate"])
    assert refused.exit_code == 2
    assert refused.stderr.startswith("ksgov: error: KSGOV_PAYLOAD_KEYS is set")
    assert key(1) not in refused.stderr


def test_keys_record_makes_the_record_key_once_and_prints_its_public_half(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KSGOV_DATA_DIR", str(tmp_path))
    first = CliRunner().invoke(build_app(), ["keys", "record"])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in first.stdout
    assert stat.S_IMODE((tmp_path / "record-key").stat().st_mode) == 0o600
    again = CliRunner().invoke(build_app(), ["keys", "record"])
    assert again.stdout == first.stdout  # kept, not made again
    (tmp_path / "record-key").chmod(0o644)
    refused = CliRunner().invoke(build_app(), ["keys", "record"])
    assert refused.exit_code == 2
    assert "can be read by other users" in refused.stderr
