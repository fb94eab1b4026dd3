"""The catalogue's file uploads: theme images (multipart/form-data) and certificates published for a CSR.

What Okta's document says, and the sandbox does:

- ``POST /api/v1/brands/{brandId}/themes/{themeId}/logo`` (and ``favicon``, ``background-image``) take a
  ``multipart/form-data`` body whose ``file`` part is the image, of the types and under the size the
  document's description gives (the table ``upload`` of each operation in ``catalogue_resources.json``,
  written by ``scripts/build_okta_catalogue.py``); the answer is ``{"url": ...}`` (``ImageUploadResponse``)
  and the theme's ``logo``/``favicon``/``backgroundImage`` becomes that URL. The sandbox serves the file
  there (``GET /bc/image/fileStoreRecord?id=...``, as Okta's CDN URLs look), so the URL is real. Deleting
  the image puts the theme's default back. A missing ``file`` part, another type, a file too large, a
  favicon that is not square or over 512 pixels: 400 ``E0000001`` naming ``file``.
- ``POST .../credentials/csrs/{csrId}/lifecycle/publish`` takes the signed X.509 certificate as the whole
  body, DER (``application/pkix-cert``), PEM (``application/x-pem-file``) or either as CER
  (``application/x-x509-ca-cert``), base64-encoded when ``Content-Transfer-Encoding: base64`` says so.
  A certificate valid for less than 90 days is refused as the document's example shows. Publishing ends the
  CSR (it is gone from the CSR list) and adds a key credential built from the certificate (``kid``,
  ``x5c``, ``x5t#S256``, ``e``/``n`` of an RSA key, ``expiresAt``) that the app's (or IdP's) key list and
  read show; the answer is that key with 201.

Not modelled: the check that the certificate's key is the CSR's (the sandbox's CSRs carry the document's
example CSR, whose private key nobody has), and the pixel sizes of JPG, GIF and ICO files.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Response, request

from sandboxes.okta.errors import OktaError
from sandboxes.okta.json_responses import json_response
from sandboxes.okta.timestamps import iso_timestamp

if TYPE_CHECKING:
    from sandboxes.okta.catalogue_store import CatalogueStore

#: Where the sandbox serves uploaded files (Okta serves them from its CDN under this path).
FILE_PATH = "/bc/image/fileStoreRecord"
#: The theme field each image upload sets.
THEME_FIELDS = {"logo": "logo", "favicon": "favicon", "background-image": "backgroundImage"}
MIN_VALIDITY = timedelta(days=90)
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
          (b"GIF89a", "image/gif"), (b"\x00\x00\x01\x00", "image/x-icon"))
_SAME_TYPE = {"image/vnd.microsoft.icon": "image/x-icon", "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}


def _file_error(problem: str) -> OktaError:
    return OktaError("E0000001", "file", causes=[f"file: {problem}"])


def _certificate_error(problem: str) -> OktaError:
    return OktaError("E0000001", "certificate", causes=[problem])


def upload_image(store: CatalogueStore, row: dict[str, Any], path: str) -> Response:
    """A theme image upload: checked as Okta documents, stored, served, and set on the theme."""
    part = request.files.get("file")
    if part is None:
        raise _file_error("is required; send the image as the multipart/form-data part 'file'")
    content = part.read()
    if not content:
        raise _file_error("is empty")
    rule = row.get("upload") or {}
    allowed = [_SAME_TYPE.get(t, t) for t in rule.get("types", [])]
    kind = _sniffed(content)
    if allowed and kind not in allowed:
        found = kind or f"a file that is no image (sent as {part.mimetype or 'no type'})"
        raise _file_error(f"must be one of {', '.join(dict.fromkeys(allowed))}, not {found}")
    if rule.get("max_bytes") and len(content) >= rule["max_bytes"]:
        raise _file_error(f"must be less than {rule['max_bytes']} bytes; it is {len(content)}")
    if rule.get("square_max") and kind == "image/png":
        width, height = struct.unpack(">II", content[16:24]) if len(content) >= 24 else (0, 0)
        if width != height or width > rule["square_max"]:
            raise _file_error(f"must be square and at most {rule['square_max']} pixels wide; it is {width} x {height}")
    file_id = store.ids.new("fs0")
    store.files[file_id] = (kind or "application/octet-stream", content)
    url = f"{store.base_url()}{FILE_PATH}?id={file_id}"
    _set_theme_image(store, path, url)
    return json_response({"url": url}, row["status"])


def is_theme_image(template: str) -> bool:
    """Whether a path template names a theme's image (``.../themes/{themeId}/logo``)."""
    parts = template.rsplit("/", 3)
    return len(parts) == 4 and parts[1] == "themes" and parts[3] in THEME_FIELDS


def delete_image(store: CatalogueStore, path: str) -> None:
    """Deleting a theme image puts Okta's default back on the theme."""
    _set_theme_image(store, path, None)


def _set_theme_image(store: CatalogueStore, path: str, url: str | None) -> None:
    theme_path, _, image = path.rpartition("/")
    name = THEME_FIELDS[image]
    themes, _, theme_id = theme_path.rpartition("/")
    records = [store.items.get(themes, {}).get(theme_id)]
    default = store.default_document("GET", theme_path)
    if theme_path in store.documents or isinstance(default, dict):
        records.append(store.documents.setdefault(theme_path, json.loads(json.dumps(default or {}))))
    fallback = default.get(name) if isinstance(default, dict) else None
    for record in records:  # the theme's own image before any upload is Okta's default for it
        if isinstance(record, dict) and record.get(name) is not None:
            store.image_defaults.setdefault((theme_path, name), record[name])
    fallback = store.image_defaults.get((theme_path, name), fallback)
    for record in records:
        if isinstance(record, dict):
            value = url if url is not None else fallback
            if value is None:
                record.pop(name, None)
            else:
                record[name] = value


def _sniffed(content: bytes) -> str | None:
    """The image type the bytes are, whatever the part says (Okta reads the file, not the label)."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    head = content[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in content[:4096].lower()):
        return "image/svg+xml"
    return None


def serve_file(store: CatalogueStore) -> Response:
    """The bytes of an uploaded file, at the URL its upload answered."""
    found = store.files.get(request.args.get("id", ""))
    if found is None:
        raise OktaError("E0000007", request.args.get("id", ""))
    kind, content = found
    return Response(content, mimetype=kind, headers={"Cache-Control": "public, max-age=86400"})


def publish_certificate(store: CatalogueStore, row: dict[str, Any], path: str) -> Response:
    """Publish a CSR: the certificate becomes a key credential of the app or IdP; the CSR ends."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding

    kind = (request.mimetype or "").lower()
    documented = row.get("content_types") or []
    if kind not in documented:
        raise _certificate_error(f"send the certificate with Content-Type {', '.join(documented)}, not "
                                 f"{kind or 'none'}")
    raw = request.get_data()
    if request.headers.get("Content-Transfer-Encoding", "").strip().lower() == "base64":
        text = b"".join(raw.split()).replace(b"-", b"+").replace(b"_", b"/")
        try:
            raw = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise _certificate_error("The body is not base64 as Content-Transfer-Encoding says.") from None
    try:
        if raw.lstrip().startswith(b"-----BEGIN"):
            certificate = x509.load_pem_x509_certificate(raw)
        else:
            certificate = x509.load_der_x509_certificate(raw)
    except ValueError:
        raise _certificate_error("The body is not an X.509 certificate.") from None
    if certificate.not_valid_after_utc - certificate.not_valid_before_utc < MIN_VALIDITY:
        raise _certificate_error("The certificate must be valid for at least 90 days.")
    parts = path.split("/")
    csrs, csr_id = "/".join(parts[:-3]), parts[-3]
    store.items.get(csrs, {}).pop(csr_id, None)  # publishing completes the CSR's lifecycle
    der = certificate.public_bytes(Encoding.DER)
    now = iso_timestamp(store.clock())
    kid = store.ids.new("").lower()[:43] or "kid"
    sample = row.get("sample")
    key: dict[str, Any] = {
        **(sample if isinstance(sample, dict) else {}),
        "created": now, "lastUpdated": now, "kid": kid, "kty": "RSA", "use": "sig",
        "x5c": [base64.b64encode(der).decode()],
        "x5t#S256": base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode(),
        "expiresAt": certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    public = certificate.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        key["e"], key["n"] = _b64_int(numbers.e), _b64_int(numbers.n)
    else:
        key["kty"] = "EC"
        key.pop("e", None)
        key.pop("n", None)
    keys = csrs.rsplit("/", 1)[0] + "/keys"
    store.items.setdefault(keys, {})[kid] = key
    store.documents[f"{keys}/{kid}"] = key
    return store.answer_with(row, key)


def _b64_int(value: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()
