"""Business rules of assets: metadata rows (one per content per project), listing, and
deletion, which a published entry's reference refuses. The bytes are the store's
(`storage.py`); the API puts them there before the row is written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from kanri.content import schemas
from kanri.content.models import ContentAssetRow, ContentEntryRow
from kanri.content.sniff import dimensions, sniff
from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, KanriError, UnsupportedMediaType
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow

ASSET_FILTERS = FilterSpec(
    {
        "id": FilterField(ContentAssetRow.id),
        "filename": FilterField(ContentAssetRow.filename),
        "content_type": FilterField(ContentAssetRow.content_type),
        "size": FilterField(ContentAssetRow.size, "integer"),
        "sha256": FilterField(ContentAssetRow.sha256),
        "create_time": FilterField(ContentAssetRow.create_time, "timestamp"),
    }
)


@dataclass(frozen=True)
class Upload:
    """An uploaded file, checked: its sniffed type, digest and image size."""

    filename: str
    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None

    def key(self, project_id: str) -> str:
        return f"{project_id}/{self.sha256}"


def inspect(data: bytes, filename: str | None, field: str) -> Upload:
    """What `data` is; 415 for a kind that is not allowed (by content, whatever its name)."""
    kind = sniff(data)
    if kind is None:
        raise UnsupportedMediaType(
            "this kind of file is not taken as an asset",
            errors=[
                FieldError(field, "images (PNG, JPEG, GIF, WebP), PDF, MP4 or plain text only")
            ],
        )
    size = dimensions(data, kind) if kind.startswith("image/") else None
    return Upload(
        filename=(filename or "file")[:255],
        content_type=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=size[0] if size else None,
        height=size[1] if size else None,
    )


def asset_row(tx: Session, who: Principal, ref: str) -> ContentAssetRow:
    return by_ref(tx, ContentAssetRow, ref, who, prefix="ast", noun="asset")


def create_asset(tx: Session, who: Principal, upload: Upload) -> tuple[schemas.Asset, bool]:
    """The asset of these bytes in who's project: the existing one (False) or a new one."""
    found = tx.execute(
        scoped(select(ContentAssetRow), who).where(ContentAssetRow.sha256 == upload.sha256)
    ).scalar_one_or_none()
    if found is not None:
        return schemas.Asset.model_validate(found), False
    row = ContentAssetRow(
        id=new_id("ast"),
        project_id=who.project(),
        environment_id=who.environment_id,
        filename=upload.filename,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        width=upload.width,
        height=upload.height,
        storage_key=upload.key(who.project()),
        created_by=who.key_id or who.kind,
        create_time=utcnow(),
    )
    tx.add(row)
    tx.flush()
    summary = {"filename": row.filename, "content_type": row.content_type, "size": row.size}
    audit.record(
        tx,
        who,
        "content.asset.created",
        "content_asset",
        row.id,
        audit.changes_between({}, summary),
    )
    events.emit(
        tx,
        who,
        "content.asset.created",
        "content_asset",
        row.id,
        {"id": row.id, **summary, "sha256": row.sha256},
    )
    return schemas.Asset.model_validate(row), True


def get_asset(tx: Session, who: Principal, ref: str) -> schemas.Asset:
    return schemas.Asset.model_validate(asset_row(tx, who, ref))


def list_assets(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Asset]:
    page = paginate(
        tx,
        scoped(select(ContentAssetRow), who),
        ASSET_FILTERS,
        params,
        id_column=ContentAssetRow.id,
        default_order="create_time",
    )
    return page.map(schemas.Asset.model_validate)


def file_of(tx: Session, who: Principal, ref: str) -> ContentAssetRow:
    """The asset row whose file to send."""
    return asset_row(tx, who, ref)


def delete_asset(tx: Session, who: Principal, ref: str) -> str:
    """Delete the asset's row and return its storage key; 409 while a published entry
    refers to it."""
    row = asset_row(tx, who, ref)
    # Asset ids are unique ULIDs: a text match in the published document is a reference.
    referencing = tx.execute(
        scoped(select(ContentEntryRow.id), who)
        .where(cast(ContentEntryRow.published, String).contains(row.id, autoescape=True))
        .limit(1)
    ).scalar_one_or_none()
    if referencing is not None:
        raise Conflict(
            f"published entry {referencing} refers to this asset: unpublish it first",
            conflicting_id=referencing,
        )
    audit.record(
        tx,
        who,
        "content.asset.deleted",
        "content_asset",
        row.id,
        {"filename": {"from": row.filename}},
    )
    tx.delete(row)
    return row.storage_key


class RangeNotSatisfiable(KanriError):
    status = 416
    code = "RANGE_NOT_SATISFIABLE"
    title = "Range not satisfiable"


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (start, end) of a single `bytes=` range, None for the whole file; 416 when it
    lies outside the file."""
    if header is None or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[6:].strip().partition("-")
    try:
        if first == "":
            start, end = max(0, size - int(last)), size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None
    if start > end or start >= size:
        raise RangeNotSatisfiable(
            f"the file has {size} bytes", headers={"Content-Range": f"bytes */{size}"}
        )
    return start, end
