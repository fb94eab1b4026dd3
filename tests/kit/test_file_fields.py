"""A ``file`` input: an https URL the kit downloads through the outbound guard, or the file's content.

Bad values fail while the input is mapped, naming the field and saying what to give; a download goes
through :class:`connector.outbound.GuardedTransport` (so a private or metadata address is refused, on the
URL and on the address dialled) and stops at the size limit.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from connector.definitions import Field
from connector.errors import BadInput
from connector.files import FileContent, read_file, to_file_value
from connector.mapping import FieldMapping
from connector.outbound import GuardedTransport
from connector.schema import field_schema

FIELDS = (Field("file", type="file", required=True), Field("note"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


def render(value: Any) -> dict[str, Any]:
    return FieldMapping(FIELDS, {"file": "{{trigger.file}}"}).render({"trigger": {"file": value}})


@pytest.mark.parametrize(("value", "says"), [
    ("http://files.example.com/logo.png", "is not a file; give an https URL to download"),
    ("logo.png", "is not a file; give an https URL"),
    (42, "42 is not a file"),
    ({"content_base64": "%%% not base64"}, "content_base64 is not valid base64"),
    ({"filename": "a.png"}, "has no content_base64"),
    ({"url": "https://x.example.com/a", "content_base64": "aGk="}, "either a url or content_base64, not both"),
    ({"name": "a.png", "content_base64": "aGk="}, "a file object has no 'name'"),
    ({"content_base64": "aGk=", "content_type": "png"}, "is not a media type such as image/png"),
    ('{"content_base64": ', "starts like JSON but does not parse"),
])
def test_a_bad_file_value_names_the_field_and_what_to_give(value: Any, says: str) -> None:
    with pytest.raises(BadInput) as refused:
        render(value)
    assert refused.value.field == "file"
    assert says in str(refused.value)


def test_a_file_is_normalised_to_a_url_or_a_content_object() -> None:
    assert render("https://files.example.com/a.png")["file"] == {"url": "https://files.example.com/a.png"}
    given = {"filename": "a.png", "content_type": "image/png", "content_base64": base64.b64encode(PNG).decode()}
    assert render(given)["file"] == given
    assert render('{"content_base64": "aGk="}')["file"] == {"content_base64": "aGk="}  # JSON text from a step


def test_base64_content_decodes_in_either_alphabet_with_or_without_padding_and_line_breaks() -> None:
    data = bytes(range(256))
    standard = base64.b64encode(data).decode()
    urlsafe = base64.urlsafe_b64encode(data).decode().rstrip("=")
    wrapped = "\n".join(standard[i:i + 76] for i in range(0, len(standard), 76))
    for text in (standard, urlsafe, wrapped):
        file = read_file(to_file_value({"content_base64": text, "filename": "cert.pem"}), field="file")
        assert file == FileContent("cert.pem", "application/x-pem-file", data)


def test_content_over_the_limit_is_refused_before_it_is_sent() -> None:
    value = to_file_value({"content_base64": base64.b64encode(b"x" * 2048).decode()})
    with pytest.raises(BadInput) as refused:
        read_file(value, field="logo", max_bytes=1024)
    assert refused.value.field == "logo" and "2048 bytes; files up to 1024 bytes" in str(refused.value)


@pytest.mark.parametrize("url", [
    "https://169.254.169.254/latest/meta-data/",
    "https://127.0.0.1/logo.png",
    "https://10.1.2.3/logo.png",
    "https://[::ffff:192.168.0.1]/logo.png",
])
def test_a_download_from_a_private_or_metadata_address_is_refused(url: str) -> None:
    with pytest.raises(BadInput) as refused:
        read_file(to_file_value(url), field="file")
    assert refused.value.field == "file" and "address" in str(refused.value)


def test_a_name_that_resolves_to_a_private_address_is_refused_when_dialled() -> None:
    guarded = GuardedTransport(resolve=lambda host: ["192.168.1.20"])
    with pytest.raises(BadInput) as refused:
        read_file(to_file_value("https://files.internal.example/logo.png"), field="logo", transport=guarded)
    assert refused.value.field == "logo" and "private address (192.168.1.20)" in str(refused.value)


def test_a_public_url_is_downloaded_with_its_name_and_type(respx_mock: Any) -> None:
    respx_mock.get("https://cdn.example.com/brand/logo%20v2.png").respond(
        200, content=PNG, headers={"Content-Type": "image/png; charset=binary"})
    file = read_file(to_file_value("https://cdn.example.com/brand/logo%20v2.png"), field="file")
    assert file == FileContent("logo v2.png", "image/png", PNG)


def test_a_redirect_to_a_private_address_is_refused(respx_mock: Any) -> None:
    respx_mock.get("https://cdn.example.com/logo.png").respond(302, headers={"Location": "https://10.0.0.7/x"})
    with pytest.raises(BadInput) as refused:
        read_file(to_file_value("https://cdn.example.com/logo.png"), field="file")
    assert "private address (10.0.0.7)" in str(refused.value)


def test_a_download_stops_at_the_size_limit_and_names_the_status_of_a_failed_one(respx_mock: Any) -> None:
    respx_mock.get("https://cdn.example.com/big.bin").respond(200, content=b"x" * 5000)
    respx_mock.get("https://cdn.example.com/gone.png").respond(404)
    with pytest.raises(BadInput) as too_big:
        read_file(to_file_value("https://cdn.example.com/big.bin"), field="file", max_bytes=4096)
    assert "files up to 4096 bytes" in str(too_big.value)
    with pytest.raises(BadInput) as gone:
        read_file(to_file_value("https://cdn.example.com/gone.png"), field="file")
    assert "answered HTTP 404" in str(gone.value)


def test_the_schema_takes_a_url_or_a_content_object() -> None:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(field_schema(Field("file", type="file")))
    assert validator.is_valid("https://cdn.example.com/a.png")
    assert validator.is_valid({"content_base64": "aGk=", "filename": "hi.txt"})
    assert not validator.is_valid("http://cdn.example.com/a.png")
    assert not validator.is_valid({"filename": "hi.txt"})


def test_a_multipart_upload_is_retried_whole_after_a_429() -> None:
    from connector.http import make_client

    seen: list[bytes] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        if len(seen) == 1:
            return httpx.Response(429, headers={"Retry-After": "0"})
        return httpx.Response(201, json={"url": "https://cdn.example.com/1"})

    client = make_client("https://api.example.com", transport=httpx.MockTransport(vendor), sleep=lambda _s: None)
    answer = client.post("/logo", files={"file": ("a.png", PNG, "image/png")})
    assert answer.status_code == 201 and len(seen) == 2 and seen[0] == seen[1] and PNG in seen[1]
