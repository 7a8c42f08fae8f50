"""Tables of the headless CMS: content types, a project's locales, entries and their versions.

An entry keeps its draft (`fields`, the stored form: a localized field holds one value per
locale, `{"en": …, "de": …}`) and, separately, what is published (`published`, the draft of
the version that was published). `draft_index` and `published_index` are flat views of the
two (each field's value in the default locale) that filters and full-text search read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.core import ownership
from kanri.db.base import Base, JSONType


class ContentTypeRow(Base):
    """A content type (`page`, `post`) of a project's environment with its field definitions."""

    __tablename__ = "content_types"
    __table_args__ = (
        UniqueConstraint("project_id", "environment_id", "slug"),
        Index(None, "project_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str | None] = mapped_column(String(40))
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # [{name, type, required, unique, localized, default, options, many}] in order.
    fields: Mapped[list[Any]]
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class ContentLocalesRow(Base):
    """A project's locales (BCP 47 tags) and its default one."""

    __tablename__ = "content_locales"

    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    default_locale: Mapped[str] = mapped_column(String(35))
    locales: Mapped[list[str]]
    update_time: Mapped[datetime]


class ContentEntryRow(Base):
    """An entry of a content type: its draft and a pointer to its published version."""

    __tablename__ = "content_entries"
    __table_args__ = (
        UniqueConstraint("type_id", "slug"),
        Index(None, "type_id", "create_time", "id"),
        Index(None, "type_id", "published_slug"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str | None] = mapped_column(String(40))
    type_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("content_types.id", ondelete="CASCADE")
    )
    slug: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    labels: Mapped[dict[str, Any]]
    fields: Mapped[dict[str, Any]]
    draft_index: Mapped[dict[str, Any]]
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The draft's number; every save adds one (and a version row).
    version: Mapped[int] = mapped_column(Integer)
    # Every change (saves, publishing, status) adds one: the entry's ETag.
    revision: Mapped[int] = mapped_column(Integer)
    published_version: Mapped[int | None] = mapped_column(Integer)
    published_slug: Mapped[str | None] = mapped_column(String(200))
    # {"fields": …, "labels": …} of the published version.
    published: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    published_index: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    published_time: Mapped[datetime | None]
    publish_at: Mapped[datetime | None]
    # The engine run that publishes a scheduled entry at `publish_at`.
    scheduled_run_id: Mapped[str | None] = mapped_column(String(40))
    generated_by_run_id: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(100))
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class ContentVersionRow(Base):
    """One saved state of an entry's draft (numbered from 1, never changed)."""

    __tablename__ = "content_versions"

    entry_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("content_entries.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40))
    slug: Mapped[str] = mapped_column(String(200))
    labels: Mapped[dict[str, Any]]
    fields: Mapped[dict[str, Any]]
    changed: Mapped[list[str]]
    author: Mapped[str] = mapped_column(String(100))
    create_time: Mapped[datetime]


ownership.register("ctt", ContentTypeRow, "content type")
ownership.register("cen", ContentEntryRow, "content entry")


class ContentAssetRow(Base):
    """An uploaded file: its metadata here, its bytes in the asset store under `storage_key`.
    One row per content per project (`sha256`): uploading the same bytes again finds it."""

    __tablename__ = "content_assets"
    __table_args__ = (
        UniqueConstraint("project_id", "sha256"),
        Index(None, "project_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str | None] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    create_time: Mapped[datetime]


ownership.register("ast", ContentAssetRow, "asset")
