"""Photo uploads: decoded and re-encoded so no metadata (EXIF, GPS) survives, kept in a file
store, attached by their owner only, deleted when left unattached."""

from __future__ import annotations

import asyncio
import io
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from PIL import Image, ImageOps, UnidentifiedImageError

from models.claims import Upload
from resolvers.actor import Actor, require_login
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.links import FileReader, StoredFile
from resolvers.policy import Policy
from resolvers.storage import FileStore

log = logging.getLogger(__name__)

# Declared type → what Pillow must find when it decodes the bytes.
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}

# Stale uploads deleted per batch: short transactions, the next round takes the rest.
BATCH = 200


class UploadInvalid(Exception):
    """Refused upload: HTTP 413 when too large, 415 when not an accepted image."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


@dataclass(frozen=True)
class Encoded:
    data: bytes
    width: int
    height: int


def too_large(policy: Policy) -> UploadInvalid:
    return UploadInvalid(
        f"Fichier trop volumineux ({policy.upload_max_bytes} octets au maximum).", too_large=True
    )


def reencode(data: bytes, *, content_type: str, max_pixels: int) -> Encoded:
    """The image decoded and written again from its pixels only (blocking: run in a thread)."""
    expected = FORMATS.get(content_type)
    if expected is None:
        raise UploadInvalid("Type refusé : JPEG, PNG ou WebP uniquement.")
    image: Image.Image
    try:
        opened = Image.open(io.BytesIO(data))
        image = opened
        if opened.format != expected:
            raise UploadInvalid(f"Le contenu n'est pas une image {expected}.")
        # Checked on the header, before any pixel is decoded (decompression bombs).
        if image.width * image.height > max_pixels:
            raise UploadInvalid(
                f"Image trop grande ({max_pixels} pixels au maximum).", too_large=True
            )
        opened.load()
        # The camera's orientation is applied to the pixels, since the tag goes with the EXIF.
        image = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as error:
        raise UploadInvalid("Image trop grande.", too_large=True) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UploadInvalid(f"Le contenu n'est pas une image {expected} lisible.") from error
    if expected == "JPEG":
        image = image.convert("L" if image.mode == "L" else "RGB")
    elif image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGBA")
    # Nothing of the original's metadata (EXIF, XMP, ICC, text chunks) is written back.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=expected, **({"quality": 90} if expected != "PNG" else {}))
    return Encoded(out.getvalue(), image.width, image.height)


async def store_upload(
    actor: Actor,
    *,
    data: bytes,
    content_type: str,
    store: FileStore,
    policy: Policy,
    now: datetime | None = None,
) -> Upload:
    """Keep an image the caller sent; it belongs to them until attached or deleted."""
    owner_id = require_login(actor)
    content_type = content_type.split(";")[0].strip().lower()
    if content_type not in FORMATS:
        raise UploadInvalid("Type refusé : JPEG, PNG ou WebP uniquement.")
    if len(data) > policy.upload_max_bytes:
        raise too_large(policy)
    encoded = await asyncio.to_thread(
        reencode, data, content_type=content_type, max_pixels=policy.upload_max_pixels
    )
    key = secrets.token_hex(16)
    await store.put(key, encoded.data)
    try:
        return await Upload.create(
            owner_id=owner_id,
            storage_key=key,
            content_type=content_type,
            size=len(encoded.data),
            width=encoded.width,
            height=encoded.height,
            created_at=(now or datetime.now(UTC)).astimezone(UTC),
        )
    except BaseException:
        await store.delete(key)
        raise


def photo_reader(store: FileStore) -> FileReader:
    """Reads an upload's bytes for the signed-link route."""

    async def read(upload_id: int) -> StoredFile | None:
        upload = await Upload.get_or_none(id=upload_id)
        if upload is None:
            return None
        content = await store.get(upload.storage_key)
        if content is None:
            return None
        return StoredFile(
            content=content,
            content_type=upload.content_type,
            filename=f"photo-{upload.id}.{_EXTENSIONS[upload.content_type]}",
        )

    return read


async def check_attachable(
    problems: Problems, *, owner_id: int, photo_ids: Sequence[int], policy: Policy
) -> None:
    """Photos must be the caller's free uploads: NOT_FOUND for another's (or none),
    INVALID_INPUT for one already attached, given twice, or too many."""
    if len(set(photo_ids)) != len(photo_ids):
        problems.invalid("Photo en double.", "photoIds")
    if len(photo_ids) > policy.claim_max_photos:
        problems.invalid(f"{policy.claim_max_photos} photos au maximum.", "photoIds")
    rows = {u.id: u for u in await Upload.filter(id__in=list(photo_ids))}
    for photo_id in photo_ids:
        row = rows.get(photo_id)
        if row is None or row.owner_id != owner_id:
            problems.add(ErrorCode.NOT_FOUND, "Photo introuvable.", "photoIds")
        elif row.claim_id is not None:
            problems.invalid("Cette photo est déjà jointe ailleurs.", "photoIds")


async def attach_photos(*, owner_id: int, claim_id: int, photo_ids: Sequence[int]) -> None:
    """Attach checked uploads inside the caller's transaction; conditional, so an upload
    attached or deleted meanwhile makes the whole change fail."""
    if not photo_ids:
        return
    done = await Upload.filter(
        id__in=list(photo_ids), owner_id=owner_id, claim_id__isnull=True
    ).update(claim_id=claim_id)
    if done != len(photo_ids):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "Une photo vient d'être jointe ou supprimée.", "photoIds"
        )


async def delete_stale_uploads(
    *, store: FileStore, policy: Policy, now: datetime | None = None, batch: int = BATCH
) -> int:
    """Delete every upload left unattached for COMPTOIR_UPLOAD_UNATTACHED_HOURS, `batch` at a
    time, rows then files; returns how many went."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    cutoff = now - timedelta(hours=policy.upload_unattached_hours)
    stale = Upload.filter(claim_id__isnull=True, created_at__lt=cutoff)
    deleted, after = 0, 0
    while (
        page := await stale.filter(id__gt=after)
        .order_by("id")
        .limit(batch)
        .values_list("id", "storage_key")
    ):
        ids = [row[0] for row in page]
        after = ids[-1]
        # Conditional: an upload attached since the read above stays, with its file.
        await Upload.filter(id__in=ids, claim_id__isnull=True).delete()
        kept = set(await Upload.filter(id__in=ids).values_list("storage_key", flat=True))
        gone = [str(key) for _, key in page if key not in kept]
        for key in gone:
            await store.delete(key)
        deleted += len(gone)
    return deleted
