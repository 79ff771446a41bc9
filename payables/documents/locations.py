"""Upload locations: where a client PUTs a document's bytes, signed and expiring.

With local storage the location is payables' own ``PUT /uploads/<token>``: the token is
signed with the secret key (``django.core.signing``) and names the document, its company,
the Content-Type the PUT must send, the size limit and the expiry, so nothing about it can
be changed without breaking the signature. With S3 storage it is S3's own pre-signed PUT
URL for the document's object (the Content-Type is signed; S3 cannot bound the size of a
PUT, so the size is checked when the upload is noticed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.core.files.storage import Storage, default_storage
from django.urls import reverse

SALT = "payables.documents.upload"


@dataclass(frozen=True)
class UploadGrant:
    """What a local upload token allows: one document's bytes, of one type, up to a size."""

    document_id: str
    company_id: str
    content_type: str
    max_bytes: int
    expires_at: datetime


class BadToken(ValueError):
    """The token was not signed by this server, or was altered."""


def sign_upload(grant: UploadGrant) -> str:
    """The token of a local upload location."""
    payload = {
        "d": grant.document_id,
        "c": grant.company_id,
        "t": grant.content_type,
        "n": grant.max_bytes,
        "e": int(grant.expires_at.timestamp()),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def read_upload_token(token: str) -> UploadGrant:
    """The grant a token carries; ``BadToken`` when its signature does not hold."""
    try:
        payload = signing.loads(token, salt=SALT)
        return UploadGrant(
            document_id=str(payload["d"]),
            company_id=str(payload["c"]),
            content_type=str(payload["t"]),
            max_bytes=int(payload["n"]),
            expires_at=datetime.fromtimestamp(int(payload["e"]), tz=UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise BadToken(token[:20]) from None


def local_upload_url(grant: UploadGrant) -> str:
    path = reverse("document-upload", kwargs={"token": sign_upload(grant)})
    return settings.BASE_URL.rstrip("/") + path


def is_s3(storage: Storage = default_storage) -> bool:
    """Whether files live in S3 (django-storages), where clients PUT to S3 directly."""
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def s3_upload_url(name: str, grant: UploadGrant, storage: Storage = default_storage) -> str:
    """S3's pre-signed PUT URL for the object ``name``, with the Content-Type signed."""
    seconds = max(1, int((grant.expires_at - datetime.now(tz=UTC)).total_seconds()))
    client = storage.connection.meta.client
    return client.generate_presigned_url(
        "put_object",
        Params={
            "Bucket": storage.bucket_name,
            "Key": s3_key(name, storage),
            "ContentType": grant.content_type,
        },
        ExpiresIn=seconds,
        HttpMethod="PUT",
    )


def s3_key(name: str, storage: Storage = default_storage) -> str:
    """The object key of a stored file's name (the storage's location prefix joined)."""
    location = getattr(storage, "location", "").strip("/")
    return f"{location}/{name}" if location else name
