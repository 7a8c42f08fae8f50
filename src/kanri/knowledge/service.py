"""Business rules of knowledge namespaces: their embedding and chunking settings, the API
keys of embedding endpoints at rest, and re-embedding when the model changes (entries are
in entry_service.py, chunk storage and ingestion jobs in ingestion.py).

Functions here are database commands and reads (no awaits inside); the async work —
extracting, chunking, embedding, searching — is in `flows.py`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from kanri.core import audit, events, secrets
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.net import check_url
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.knowledge import pgvector, schemas
from kanri.knowledge.embeddings import LOCAL_PROVIDER, embedding_key, minilm
from kanri.knowledge.ingestion import start_job
from kanri.knowledge.models import KnowledgeChunkRow, KnowledgeEntryRow, KnowledgeNamespaceRow
from kanri.providers import service as providers
from kanri.tenancy import service as tenancy

NAMESPACE_FILTERS = FilterSpec(
    {
        "id": FilterField(KnowledgeNamespaceRow.id),
        "name": FilterField(KnowledgeNamespaceRow.name),
        "entry_count": FilterField(KnowledgeNamespaceRow.entry_count, "integer"),
        "create_time": FilterField(KnowledgeNamespaceRow.create_time, "timestamp"),
        "update_time": FilterField(KnowledgeNamespaceRow.update_time, "timestamp"),
    }
)
OPENAI_WINDOW = 8191


# --- secrets -------------------------------------------------------------------------------


def secret_box(secret: bytes) -> secrets.SecretBox:
    """What encrypts embedding endpoints' API keys at rest (core/secrets.py)."""
    return secrets.box(secret, "knowledge-embedding-api-key")


def api_key_of(embedding: dict[str, Any], box: secrets.SecretBox) -> str | None:
    token = embedding.get("api_key_encrypted")
    if not token:
        return None
    try:
        return box.decrypt(token)
    except ValueError:  # another secret key: the endpoint is called without one
        return None


# --- namespaces ----------------------------------------------------------------------------


def _namespaces(who: Principal) -> Select[KnowledgeNamespaceRow]:
    return scoped(select(KnowledgeNamespaceRow), who, environment=True)


def namespace_row(tx: Session, who: Principal, ref: str) -> KnowledgeNamespaceRow:
    """Namespace `ref` (id or name) of who's project and environment; NotFound otherwise."""
    return by_ref(
        tx,
        KnowledgeNamespaceRow,
        ref,
        who,
        prefix="kns",
        name_column=KnowledgeNamespaceRow.name,
        environment=True,
        noun="namespace",
    )


def namespace_embedding(tx: Session, who: Principal, ref: str) -> dict[str, Any]:
    return dict(namespace_row(tx, who, ref).embedding)


def stored_embedding(
    tx: Session,
    who: Principal,
    body: schemas.EmbeddingSettings,
    box: secrets.SecretBox,
    before: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The namespace's `embedding` column for settings `body` (a provider must be one of the
    project's, of kind openai)."""
    if body.provider == LOCAL_PROVIDER:
        return {
            "provider": LOCAL_PROVIDER,
            "model": minilm.MODEL_NAME,
            "dimension": minilm.DIMENSION,
            "max_tokens": minilm.MAX_TOKENS,
        }
    if body.provider_id is not None:
        found = _provider(tx, who, body.provider_id)
        return {
            "provider": body.provider,
            "model": body.model,
            "provider_id": found.id,
            "dimension": body.dimension,
            "max_tokens": body.max_tokens or OPENAI_WINDOW,
        }
    base_url = (body.base_url or "").rstrip("/")
    project = tenancy.project_settings(tx, who.project())
    assert project is not None  # who's own project
    check_url(
        base_url, allow_private=project.allow_private_network, field="body.embedding.base_url"
    )
    stored: dict[str, Any] = {
        "provider": body.provider,
        "model": body.model,
        "base_url": base_url,
        "dimension": body.dimension,
        "max_tokens": body.max_tokens or OPENAI_WINDOW,
    }
    if body.api_key is not None:
        stored["api_key_encrypted"] = box.encrypt(body.api_key)
    elif before and before.get("base_url") == stored["base_url"]:
        stored["api_key_encrypted"] = before.get("api_key_encrypted")
    return stored


def _provider(tx: Session, who: Principal, ref: str) -> Any:
    row = providers.find(tx, who.project(), ref)
    field = "body.embedding.provider_id"
    if row is None:
        raise ValidationFailed(
            f"no provider '{ref}' in this project",
            errors=[FieldError(field, "no such provider in this project")],
        )
    if row.kind != "openai":
        raise ValidationFailed(
            f"provider '{ref}' is of kind {row.kind}: embeddings need an openai provider",
            errors=[FieldError(field, "must be a provider of kind openai")],
        )
    return row


def to_namespace(row: KnowledgeNamespaceRow) -> schemas.Namespace:
    e = row.embedding
    return schemas.Namespace(
        id=row.id,
        project_id=row.project_id,
        environment_id=row.environment_id,
        name=row.name,
        description=row.description,
        embedding=schemas.EmbeddingInfo(
            provider=e["provider"],
            model=e["model"],
            dimension=e.get("dimension"),
            max_tokens=e["max_tokens"],
            provider_id=e.get("provider_id"),
            base_url=e.get("base_url"),
            api_key_set=bool(e.get("api_key_encrypted")),
        ),
        chunking=schemas.ChunkingSettings.model_validate(row.chunking),
        entry_count=row.entry_count,
        create_time=row.create_time,
        update_time=row.update_time,
    )


def _name_free(tx: Session, who: Principal, name: str) -> None:
    if tx.execute(_namespaces(who).where(KnowledgeNamespaceRow.name == name)).first():
        raise Conflict(
            f"a namespace named '{name}' already exists in this environment",
            errors=[FieldError("body.name", "already used in this environment")],
        )


def create_namespace(
    tx: Session, who: Principal, body: schemas.NamespaceCreate, embedding: dict[str, Any]
) -> schemas.Namespace:
    _name_free(tx, who, body.name)
    now = utcnow()
    row = KnowledgeNamespaceRow(
        id=new_id("kns"),
        project_id=who.project(),
        environment_id=who.environment_id,
        name=body.name,
        description=body.description,
        embedding=embedding,
        chunking=body.chunking.model_dump(),
        revision=0,
        entry_count=0,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx, who, "knowledge.namespace.created", "namespace", row.id, {"name": {"to": row.name}}
    )
    events.emit(
        tx,
        who,
        "knowledge.namespace.created",
        "namespace",
        row.id,
        {"id": row.id, "name": row.name},
    )
    return to_namespace(row)


def get_namespace(tx: Session, who: Principal, ref: str) -> schemas.Namespace:
    return to_namespace(namespace_row(tx, who, ref))


def list_namespaces(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Namespace]:
    page = paginate(
        tx,
        _namespaces(who),
        NAMESPACE_FILTERS,
        params,
        id_column=KnowledgeNamespaceRow.id,
        default_order="create_time",
    )
    return page.map(to_namespace)


def update_namespace(
    tx: Session,
    who: Principal,
    ref: str,
    body: schemas.NamespaceUpdate,
    embedding: dict[str, Any] | None,
) -> schemas.Namespace:
    """Change a namespace; a different embedding model re-embeds every entry in the background."""
    row = namespace_row(tx, who, ref)
    changes: dict[str, Any] = {}
    if body.name is not None and body.name != row.name:
        _name_free(tx, who, body.name)
        changes["name"] = {"from": row.name, "to": body.name}
        row.name = body.name
    if body.description is not None and body.description != row.description:
        changes["description"] = {"changed": True}
        row.description = body.description
    if body.chunking is not None and body.chunking.model_dump() != row.chunking:
        changes["chunking"] = {"from": row.chunking, "to": body.chunking.model_dump()}
        row.chunking = body.chunking.model_dump()
    if embedding is not None and embedding != row.embedding:
        model_changed = embedding_key(embedding) != embedding_key(row.embedding)
        changes["embedding"] = {"from": row.embedding["model"], "to": embedding["model"]}
        row.embedding = embedding
        if model_changed:
            _reembed(tx, who, row)
    if changes:
        row.update_time = utcnow()
        audit.record(tx, who, "knowledge.namespace.updated", "namespace", row.id, changes)
        events.emit(tx, who, "knowledge.namespace.updated", "namespace", row.id, {"id": row.id})
    tx.flush()
    return to_namespace(row)


def _reembed(tx: Session, who: Principal, row: KnowledgeNamespaceRow) -> None:
    # Old vectors are of another model: drop them now (keyword search keeps working).
    tx.execute(
        update(KnowledgeChunkRow)
        .where(KnowledgeChunkRow.namespace_id == row.id)
        .values(embedding=None)
    )
    if pgvector.enabled(tx):
        pgvector.forget_namespace(tx, row.id)
    row.revision += 1
    has_entries = tx.execute(
        select(KnowledgeEntryRow.id).where(KnowledgeEntryRow.namespace_id == row.id).limit(1)
    ).first()
    if has_entries is None:
        return
    run_id = start_job(tx, who, row, None, 0)
    tx.execute(
        update(KnowledgeEntryRow)
        .where(KnowledgeEntryRow.namespace_id == row.id)
        .values(
            status="processing",
            error=None,
            generation=KnowledgeEntryRow.generation + 1,
            job_run_id=run_id,
            update_time=utcnow(),
        )
    )


def delete_namespace(tx: Session, who: Principal, ref: str) -> None:
    row = namespace_row(tx, who, ref)
    # Row by row so that SQLite's full-text triggers see every chunk go.
    tx.execute(delete(KnowledgeChunkRow).where(KnowledgeChunkRow.namespace_id == row.id))
    tx.execute(delete(KnowledgeEntryRow).where(KnowledgeEntryRow.namespace_id == row.id))
    audit.record(
        tx, who, "knowledge.namespace.deleted", "namespace", row.id, {"name": {"from": row.name}}
    )
    events.emit(tx, who, "knowledge.namespace.deleted", "namespace", row.id, {"id": row.id})
    tx.delete(row)


def project_organization(tx: Session, project_id: str) -> str | None:
    project = tenancy.project_settings(tx, project_id)
    return project.organization_id if project is not None else None
