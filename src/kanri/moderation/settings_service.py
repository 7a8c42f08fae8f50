"""A project environment's moderation settings (the defaults until first changed), and
the content cap they set."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kanri.core import audit
from kanri.core.auth import Principal
from kanri.core.errors import FieldError, NotFound, PayloadTooLarge, ValidationFailed
from kanri.core.time import utcnow
from kanri.moderation import schemas
from kanri.moderation.models import ModerationSettingsRow
from kanri.providers import service as providers

BUILTIN_CLASSIFIER = "builtin"  # the local word-list classifier (classifier.py)


def settings_of(tx: Session, project_id: str, environment_id: str | None) -> schemas.Settings:
    row = tx.get(ModerationSettingsRow, (project_id, environment_id or ""))
    if row is None:
        return schemas.Settings()
    return schemas.Settings.model_validate(row.settings, strict=False)


def get_settings(tx: Session, who: Principal) -> schemas.Settings:
    return settings_of(tx, who.project(), who.environment_id)


def put_settings(tx: Session, who: Principal, body: schemas.Settings) -> schemas.Settings:
    chosen = body.classifier
    if chosen is not None and chosen.provider != BUILTIN_CLASSIFIER:
        try:
            providers.provider_row(tx, who, chosen.provider)
        except NotFound as exc:
            raise ValidationFailed(
                exc.detail, errors=[FieldError("body.classifier.provider", exc.detail)]
            ) from None
    key = (who.project(), who.environment_id or "")
    row = tx.get(ModerationSettingsRow, key)
    stored = body.model_dump(mode="json")
    if row is None:
        row = ModerationSettingsRow(
            project_id=key[0], environment_id=key[1], settings=stored, update_time=utcnow()
        )
        tx.add(row)
    else:
        row.settings = stored
        row.update_time = utcnow()
    audit.record(tx, who, "moderation.settings.updated", "moderation_settings", key[1], stored)
    tx.flush()
    return body


def check_size(body: schemas.ItemSubmit, cap: int, field: str = "body.content") -> None:
    size = len(body.content.encode())
    if size > cap:
        raise PayloadTooLarge(
            f"content is {size} bytes; the cap is {cap}",
            errors=[FieldError(field, f"at most {cap} bytes")],
        )
