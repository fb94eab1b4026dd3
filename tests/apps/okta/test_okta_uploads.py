"""Okta's file uploads through the kit: theme images as multipart/form-data, certificates published for a CSR.

Every request goes through ``connector.runtime.invoke`` and the connection's client, to the Okta sandbox,
and the session's contract check holds request and answer to Okta's document (a multipart request must
carry the documented ``file`` part; a certificate must come with one of the documented types).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from connector.apps.okta.app import APP
from connector.errors import BadInput, ResponseError
from connector.testing import OperationRunner
from sandboxes.okta import OktaSandbox

#: The default brand and its theme every new org has (the sandbox seeds them with Okta's example ids).
BRAND, THEME = "bnd114iNkrcN6aR680g4", "thdul904tTZ6kWVhP0g3"
THEME_IDS = {"brandId": BRAND, "themeId": THEME}


def png(width: int = 1, height: int = 1, padding: int = 0) -> bytes:
    """A PNG header of the given size (what Okta's checks read), padded to a given length."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 5)) + chunk(b"tEXt", b"c\x00" + b"x" * padding)
            + chunk(b"IEND", b""))


def as_file(content: bytes, filename: str, content_type: str | None = None) -> dict[str, str]:
    value = {"filename": filename, "content_base64": base64.b64encode(content).decode()}
    return {**value, "content_type": content_type} if content_type else value


class Capture(httpx.BaseTransport):
    """Passes requests to the sandbox and keeps each as sent."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        return self.inner.handle_request(request)


@pytest.fixture
def capture(sandbox: OktaSandbox) -> Capture:
    return Capture(sandbox.transport())


@pytest.fixture
def sent_run(connection: Any, capture: Capture) -> OperationRunner:
    return OperationRunner(APP, dataclasses.replace(connection, transport=capture))


def test_a_logo_upload_is_one_multipart_file_part_and_the_theme_shows_the_served_url(
    sent_run: OperationRunner, capture: Capture, sandbox: OktaSandbox
) -> None:
    before = sent_run.output("get_brand_theme", THEME_IDS)[0].get("logo")
    image = png(300, 50)
    result = sent_run("upload_brand_theme_logo", {**THEME_IDS, "file": as_file(image, "brand logo.png")}, trace=True)

    request = capture.sent[-1]
    assert request.url.path == f"/api/v1/brands/{BRAND}/themes/{THEME}/logo"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.content
    assert b'Content-Disposition: form-data; name="file"; filename="brand logo.png"' in body
    assert b"Content-Type: image/png" in body and image in body
    assert "file: file 'brand logo.png' (image/png" in result.trace[-1]["request_body"]  # no bytes in traces

    url = result.output["url"]
    assert url != before and url.startswith(sandbox.base_url + "/bc/image/fileStoreRecord?id=")
    assert sent_run.output("get_brand_theme", THEME_IDS)[0]["logo"] == url
    served = httpx.Client(transport=sandbox.transport()).get(url)
    assert served.status_code == 200 and served.content == image
    assert served.headers["content-type"] == "image/png"

    sent_run("delete_brand_theme_logo", THEME_IDS)
    # "The org then uses the Okta default logo" (Okta's document): the logo it had before the upload.
    assert sent_run.output("get_brand_theme", THEME_IDS)[0].get("logo") == before


@pytest.mark.parametrize(("operation", "content", "filename", "cause"), [
    ("upload_brand_theme_logo", b"just text", "logo.png", "must be one of image/png, image/jpeg, image/gif"),
    ("upload_brand_theme_logo", png(padding=100_000), "logo.png", "must be less than 100000 bytes"),
    ("upload_brand_theme_favicon", png(640, 640), "favicon.png", "at most 512 pixels wide; it is 640 x 640"),
    ("upload_brand_theme_favicon", png(32, 16), "favicon.png", "must be square"),
])
def test_okta_refuses_an_image_its_document_does_not_take(
    run: OperationRunner, operation: str, content: bytes, filename: str, cause: str
) -> None:
    with pytest.raises(ResponseError) as refused:
        run(operation, {**THEME_IDS, "file": as_file(content, filename)})
    assert refused.value.status_code == 400
    assert "E0000001" in str(refused.value) and cause in str(refused.value)


def test_a_gif_favicon_is_refused_but_a_background_gif_is_taken(run: OperationRunner) -> None:
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    with pytest.raises(ResponseError):
        run("upload_brand_theme_favicon", {**THEME_IDS, "file": as_file(gif, "icon.gif")})
    url = run.output("upload_brand_theme_background_image", {**THEME_IDS, "file": as_file(gif, "bg.gif")})["url"]
    assert run.output("get_brand_theme", THEME_IDS)[0]["backgroundImage"] == url


def test_a_multipart_body_without_the_file_part_gets_oktas_400(sandbox: OktaSandbox) -> None:
    client = httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url,
                          headers={"Authorization": "SSWS " + sandbox.settings.token})
    answer = client.post(f"/api/v1/brands/{BRAND}/themes/{THEME}/logo", files={"image": ("a.png", png())})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "E0000001"
    assert answer.json()["errorCauses"][0]["errorSummary"].startswith("file: is required")


def certificate(days: int, key: rsa.RSAPrivateKey | None = None) -> x509.Certificate:
    """A certificate for ``key`` signed by a throwaway CA, valid for ``days``."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject_key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sandbox.example.com")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
            .sign(ca_key, hashes.SHA256()))


def new_csr(run: OperationRunner) -> tuple[str, str]:
    app_id = run.output("create_application", {"signOnMode": "BOOKMARK", "label": "Signed app"})["id"]
    return app_id, run.output("generate_csr_for_application", {"appId": app_id})["id"]


def test_publishing_a_pem_certificate_ends_the_csr_and_adds_the_apps_key(
    sent_run: OperationRunner, capture: Capture
) -> None:
    app_id, csr_id = new_csr(sent_run)
    cert = certificate(365)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    key = sent_run.output("publish_csr_from_application",
                          {"appId": app_id, "csrId": csr_id, "file": as_file(pem, "signed.pem")})

    request = capture.sent[-1]
    assert request.headers["content-type"] == "application/x-pem-file" and request.content == pem
    der = cert.public_bytes(serialization.Encoding.DER)
    assert key["x5c"] == [base64.b64encode(der).decode()]
    assert key["expiresAt"].startswith("2027-01-01T00:00:00")
    keys = [k["kid"] for k in sent_run.output("list_application_keys", {"appId": app_id})]
    assert keys[-1] == key["kid"] and len(keys) == 2  # after the signing key the app was created with
    assert sent_run.output("get_application_key", {"appId": app_id, "keyId": key["kid"]})[0]["kid"] == key["kid"]
    assert sent_run.output("list_csrs_for_application", {"appId": app_id}) == []


def test_a_der_certificate_from_a_url_is_published_for_an_identity_provider_with_its_type(
    run: OperationRunner, sandbox: OktaSandbox, respx_mock: Any
) -> None:
    der = certificate(120).public_bytes(serialization.Encoding.DER)
    respx_mock.get("https://pki.example.com/certs/idp.cer").respond(
        200, content=der, headers={"Content-Type": "application/pkix-cert"})
    idp_id = run.output("create_identity_provider", _idp_input())["id"]
    csr_id = run.output("generate_csr_for_identity_provider", {"idpId": idp_id})["id"]
    result = run("publish_csr_for_identity_provider",
                 {"idpId": idp_id, "idpCsrId": csr_id, "file": "https://pki.example.com/certs/idp.cer"}, trace=True)
    key = result.output
    assert key["x5c"] == [base64.b64encode(der).decode()]
    download, publish = result.trace[-2:]  # the download is in the step's trace, without the credential
    assert (download["method"], download["url"]) == ("GET", "https://pki.example.com/certs/idp.cer")
    assert "authorization" not in {name.lower() for name in download["request_headers"]}
    assert publish["request_headers"]["content-type"] == "application/pkix-cert"
    listed = run.output("list_identity_provider_signing_keys", {"idpId": idp_id})
    assert key["kid"] in [k["kid"] for k in listed]


def _idp_input() -> dict[str, Any]:
    from connector.apps.okta.app import CATALOGUE
    from connector.catalogue import load_catalogue

    entry = next(e for e in load_catalogue(CATALOGUE)["operations"] if e["key"] == "create_identity_provider")
    return dict(entry["sample_input"])


def test_a_certificate_valid_for_less_than_90_days_is_refused_as_okta_documents(run: OperationRunner) -> None:
    app_id, csr_id = new_csr(run)
    der = certificate(30).public_bytes(serialization.Encoding.DER)
    with pytest.raises(ResponseError) as refused:
        run("publish_csr_from_application", {"appId": app_id, "csrId": csr_id,
                                             "file": as_file(der, "short.der", "application/pkix-cert")})
    assert refused.value.status_code == 400 and "at least 90 days" in str(refused.value)
    assert [c["id"] for c in run.output("list_csrs_for_application", {"appId": app_id})] == [csr_id]


def test_something_that_is_not_a_certificate_is_refused(run: OperationRunner) -> None:
    app_id, csr_id = new_csr(run)
    with pytest.raises(ResponseError) as refused:
        run("publish_csr_from_application", {"appId": app_id, "csrId": csr_id,
                                             "file": as_file(b"not a certificate", "cert.der")})
    assert refused.value.status_code == 400 and "not an X.509 certificate" in str(refused.value)


def test_a_bad_file_value_fails_before_any_request_naming_the_field(run: OperationRunner, capture: Capture,
                                                                    sent_run: OperationRunner) -> None:
    with pytest.raises(BadInput) as refused:
        sent_run("upload_brand_theme_logo", {**THEME_IDS, "file": {"filename": "a.png", "content_base64": "%%%"}})
    assert refused.value.field == "file" and "not valid base64" in str(refused.value)
    with pytest.raises(BadInput) as missing:
        sent_run("upload_brand_theme_logo", THEME_IDS)
    assert missing.value.field == "file"
    assert capture.sent == []


def test_a_base64_body_is_taken_when_content_transfer_encoding_says_so(run: OperationRunner,
                                                                        sandbox: OktaSandbox) -> None:
    app_id, csr_id = new_csr(run)
    der = certificate(365).public_bytes(serialization.Encoding.DER)
    client = httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url,
                          headers={"Authorization": f"SSWS {sandbox.settings.token}"})
    answer = client.post(f"/api/v1/apps/{app_id}/credentials/csrs/{csr_id}/lifecycle/publish",
                         content=base64.urlsafe_b64encode(der).rstrip(b"="),
                         headers={"Content-Type": "application/pkix-cert", "Content-Transfer-Encoding": "base64"})
    assert answer.status_code == 201 and answer.json()["x5c"] == [base64.b64encode(der).decode()]
    wrong = client.post(f"/api/v1/apps/{app_id}/credentials/csrs/{csr_id}/lifecycle/publish", content=der,
                        headers={"Content-Type": "application/json"})
    assert wrong.status_code == 404  # published: the CSR is gone


def test_the_manifest_offers_each_upload_with_a_file_field() -> None:
    from connector.manifest import build_manifest

    manifest = build_manifest(APP)
    uploads = {op["key"]: op for op in manifest["actions"]
               if op["key"].startswith(("upload_brand_theme", "publish_csr"))}
    assert sorted(uploads) == ["publish_csr_for_identity_provider", "publish_csr_from_application",
                               "upload_brand_theme_background_image", "upload_brand_theme_favicon",
                               "upload_brand_theme_logo"]
    for op in uploads.values():
        [file] = [f for f in op["inputFields"] if f["type"] == "file"]
        assert file["key"] == "file" and file["required"] is True
        assert "https URL" in file["helpText"]
    logo_help = next(f for f in uploads["upload_brand_theme_logo"]["inputFields"] if f["key"] == "file")["helpText"]
    assert "PNG, JPG, GIF files under 100,000 bytes" in logo_help


def test_the_api_request_action_sends_a_file_as_a_part_or_as_the_body(run: OperationRunner) -> None:
    logo = run.output("api_request", {"method": "POST", "path": f"/api/v1/brands/{BRAND}/themes/{THEME}/logo",
                                      "file": as_file(png(), "logo.png"), "file_part": "file"})
    assert logo["status"] == 200
    assert run.output("get_brand_theme", THEME_IDS)[0]["logo"] == logo["body"]["url"]
    app_id, csr_id = new_csr(run)
    der = certificate(365).public_bytes(serialization.Encoding.DER)
    published = run.output("api_request", {
        "method": "POST", "path": f"/api/v1/apps/{app_id}/credentials/csrs/{csr_id}/lifecycle/publish",
        "file": as_file(der, "cert.der")})
    assert published["status"] == 201 and published["body"]["x5c"] == [base64.b64encode(der).decode()]


@pytest.mark.parametrize(("extra", "field", "says"), [
    ({"method": "GET"}, "file", "a GET request takes no file"),
    ({"body": '{"a": 1}'}, "file", "either a JSON body or a file"),
    ({"file_part": "file", "headers": {"Content-Type": "image/png"}}, "headers", "sets its own Content-Type"),
])
def test_the_api_request_action_refuses_a_file_it_cannot_send(
    run: OperationRunner, extra: dict[str, Any], field: str, says: str
) -> None:
    values = {"method": "POST", "path": f"/api/v1/brands/{BRAND}/themes/{THEME}/logo",
              "file": as_file(png(), "logo.png"), **extra}
    with pytest.raises(BadInput) as refused:
        run("api_request", values)
    assert refused.value.field == field and says in str(refused.value)
