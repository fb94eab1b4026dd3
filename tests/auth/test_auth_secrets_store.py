"""Connections are stored with their secrets encrypted; key rotation keeps every connection usable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from auth_support import CountingTransport
from cryptography.fernet import Fernet

from auth.connection_check import check_connection
from auth.secrets import SecretBox, mask
from auth.store import CredentialStore, open_store
from connector.errors import BadInput, ExpiredAuth

CANARY = "okta-sandbox-token"


def test_a_secret_is_masked_to_its_last_four_characters() -> None:
    assert mask("sk_live_0123456789abcd") == "\u2022\u2022\u2022\u2022abcd"
    assert mask("short") == "\u2022\u2022\u2022\u2022"


def test_the_key_file_is_created_once_with_owner_only_permissions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONNECTOR_SECRET_KEYS", raising=False)
    box = SecretBox.from_environment(tmp_path)
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    token = box.encrypt({"api_token": "abc"})
    assert SecretBox.from_environment(tmp_path).decrypt(token) == {"api_token": "abc"}


def test_keys_from_the_environment_read_records_written_under_an_older_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    written = SecretBox([old]).encrypt({"api_key": "k"})
    monkeypatch.setenv("CONNECTOR_SECRET_KEYS", f"{new},{old}")
    box = SecretBox.from_environment(tmp_path)
    assert box.decrypt(written) == {"api_key": "k"}
    assert not (tmp_path / "secret.key").exists()
    with pytest.raises(BadInput, match="cannot decrypt"):
        SecretBox([new]).decrypt(written)


def test_a_bad_key_in_the_environment_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTOR_SECRET_KEYS", "not-a-key")
    with pytest.raises(BadInput) as caught:
        SecretBox.from_environment(tmp_path)
    assert caught.value.field == "CONNECTOR_SECRET_KEYS"


def test_secrets_are_encrypted_at_rest_and_never_on_the_record(store: CredentialStore, tmp_path: Path) -> None:
    record = store.save("okta", "okta-prod", {"org_url": "http://okta.sandbox", "api_token": CANARY})
    assert record.public == {"org_url": "http://okta.sandbox"}
    assert CANARY not in repr(record) and CANARY not in str(record.to_dict())
    assert record.to_dict()["fields"]["api_token"] == mask(CANARY)
    store.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("connector.db*"))
    assert CANARY.encode() not in raw
    assert store.fields("okta-prod")["api_token"] == CANARY


def test_saving_the_same_name_again_reconnects_and_clears_the_expired_flag(store: CredentialStore) -> None:
    first = store.save("okta", "okta-prod", {"org_url": "http://okta.sandbox", "api_token": "token-one-1234"})
    store.mark_expired("okta-prod", "refresh refused")
    assert store.get(first.id).status == "expired"
    with pytest.raises(ExpiredAuth, match="reconnect"):
        store.connection("okta-prod")
    again = store.save("okta", "okta-prod", {"org_url": "http://okta.sandbox", "api_token": "token-two-5678"})
    assert again.id == first.id and again.status == "ok"
    assert store.fields(first.id)["api_token"] == "token-two-5678"
    assert [r.name for r in store.list()] == ["okta-prod"]


def test_updated_fields_merge_and_deleted_connections_are_gone(store: CredentialStore) -> None:
    fields = {"location_id": "loc_sandbox", "access_token": "a" * 20, "refresh_token": "r" * 20}
    record = store.save("contacts", "c", fields)
    store.update_fields(record.id, {"access_token": "b" * 20, "expires_at": 123})
    fields = store.fields(record.id)
    assert fields["access_token"] == "b" * 20 and fields["refresh_token"] == "r" * 20 and fields["expires_at"] == 123
    store.delete("c")
    with pytest.raises(BadInput, match="connections list"):
        store.get("c")


def test_key_rotation_re_encrypts_every_record_and_keeps_connections_usable(
    store: CredentialStore, tmp_path: Path, okta_transport: CountingTransport
) -> None:
    for n in range(3):
        store.save("okta", f"okta-{n}", {"org_url": "http://okta.sandbox", "api_token": CANARY})
    old_box = store.box
    assert store.rotate_keys() == 3
    assert (tmp_path / "secret.key").read_text().split() != []
    assert len((tmp_path / "secret.key").read_text().split()) == 1
    with pytest.raises(BadInput):  # the old key is retired
        store.box.decrypt(old_box.encrypt({"x": 1}))
    reopened = CredentialStore(store.engine, SecretBox.from_environment(tmp_path))
    for n in range(3):
        assert check_connection(reopened.connection(f"okta-{n}", transport=okta_transport)).label.startswith("okta")


def test_open_store_uses_the_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONNECTOR_SECRET_KEYS", raising=False)
    monkeypatch.setenv("CONNECTOR_DATA_DIR", str(tmp_path / "data"))
    store = open_store()
    store.save("contacts", "c", {"api_key": "contacts-sandbox-key", "location_id": "loc_sandbox"})
    assert (tmp_path / "data" / "connector.db").exists() and (tmp_path / "data" / "secret.key").exists()


def test_a_rotated_token_is_written_through_to_disk_before_the_store_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The credential store commits with ``synchronous=FULL``: a lost rotated refresh token cannot be refetched."""
    monkeypatch.delenv("CONNECTOR_SECRET_KEYS", raising=False)
    store = open_store(tmp_path / "data")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "connector.db").st_mode) == 0o600
