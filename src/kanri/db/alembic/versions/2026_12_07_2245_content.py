"""the headless CMS: content types, locales, entries, versions, assets; origins of publishable keys

`content_types` (fields as JSON), `content_locales` (per project), `content_entries` (the
draft, its flat index and the published pointer), `content_versions` (every save),
`content_assets` (one row per file content per project), and `api_keys.allowed_origins`
(the CORS origins of a publishable key).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 22:27:54.836486
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kanri.db.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "content_assets",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_content_assets_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_assets")),
        sa.UniqueConstraint(
            "project_id", "sha256", name=op.f("uq_content_assets_project_id_sha256")
        ),
    )
    with op.batch_alter_table("content_assets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_assets_project_id_create_time"),
            ["project_id", "create_time"],
            unique=False,
        )

    op.create_table(
        "content_locales",
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("default_locale", sa.String(length=35), nullable=False),
        sa.Column(
            "locales",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_content_locales_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_content_locales")),
    )
    op.create_table(
        "content_types",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=True),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_content_types_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_types")),
        sa.UniqueConstraint(
            "project_id",
            "environment_id",
            "slug",
            name=op.f("uq_content_types_project_id_environment_id_slug"),
        ),
    )
    with op.batch_alter_table("content_types", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_types_project_id_create_time"),
            ["project_id", "create_time"],
            unique=False,
        )

    op.create_table(
        "content_entries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("environment_id", sa.String(length=40), nullable=True),
        sa.Column("type_id", sa.String(length=40), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "labels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "draft_index",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_slug", sa.String(length=200), nullable=True),
        sa.Column(
            "published",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "published_index",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("published_time", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("publish_at", kanri.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scheduled_run_id", sa.String(length=40), nullable=True),
        sa.Column("generated_by_run_id", sa.String(length=40), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("update_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_content_entries_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["content_types.id"],
            name=op.f("fk_content_entries_type_id_content_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_entries")),
        sa.UniqueConstraint("type_id", "slug", name=op.f("uq_content_entries_type_id_slug")),
    )
    with op.batch_alter_table("content_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_entries_type_id_create_time_id"),
            ["type_id", "create_time", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_content_entries_type_id_published_slug"),
            ["type_id", "published_slug"],
            unique=False,
        )

    op.create_table(
        "content_versions",
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(length=40), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column(
            "labels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "changed",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("create_time", kanri.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["content_entries.id"],
            name=op.f("fk_content_versions_entry_id_content_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "number", name=op.f("pk_content_versions")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "allowed_origins",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("allowed_origins")

    op.drop_table("content_versions")
    with op.batch_alter_table("content_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_entries_type_id_published_slug"))
        batch_op.drop_index(batch_op.f("ix_content_entries_type_id_create_time_id"))

    op.drop_table("content_entries")
    with op.batch_alter_table("content_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_types_project_id_create_time"))

    op.drop_table("content_types")
    op.drop_table("content_locales")
    with op.batch_alter_table("content_assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_assets_project_id_create_time"))

    op.drop_table("content_assets")
