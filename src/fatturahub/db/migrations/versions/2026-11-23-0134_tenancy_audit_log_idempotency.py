"""tenancy, audit log, idempotency

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:34:25.318210+00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fatturahub.db.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("storage_quota_bytes", sa.BigInteger(), nullable=False),
        sa.Column("storage_used_bytes", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("principal", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column(
            "headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("principal", "key", name=op.f("uq_idempotency_record_principal_key")),
    )
    op.create_table(
        "app_user",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_app_user_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_account_id"), ["account_id"], unique=False)

    op.create_table(
        "company",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("partita_iva", sa.String(length=11), nullable=True),
        sa.Column("codice_fiscale", sa.String(length=16), nullable=True),
        sa.Column("denominazione", sa.String(length=80), nullable=True),
        sa.Column("nome", sa.String(length=60), nullable=True),
        sa.Column("cognome", sa.String(length=60), nullable=True),
        sa.Column("regime_fiscale", sa.String(length=4), nullable=False),
        sa.Column(
            "sede",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "rea",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "contacts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("codice_destinatario", sa.String(length=7), nullable=False),
        sa.Column("pec_destinatario", sa.String(length=256), nullable=True),
        sa.Column("public_administration", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column(
            "channel_settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("archived_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_company_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company")),
        sa.UniqueConstraint(
            "account_id", "codice_fiscale", name=op.f("uq_company_account_id_codice_fiscale")
        ),
        sa.UniqueConstraint("account_id", "partita_iva", name=op.f("uq_company_account_id_partita_iva")),
    )
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_account_id"), ["account_id"], unique=False)

    op.create_table(
        "api_key",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "company_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "levels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("last_used_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_api_key_account_id_account")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_api_key_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_account_id"), ["account_id"], unique=False)

    op.create_table(
        "company_permission",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("area", sa.String(length=30), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_company_permission_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_company_permission_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_permission")),
        sa.UniqueConstraint(
            "user_id",
            "company_id",
            "area",
            name=op.f("uq_company_permission_user_id_company_id_area"),
        ),
    )
    with op.batch_alter_table("company_permission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_permission_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_company_permission_user_id"), ["user_id"], unique=False)

    op.create_table(
        "delegation",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("grantor_account_id", sa.Uuid(), nullable=False),
        sa.Column("grantee_account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "levels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("starts_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_delegation_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["grantee_account_id"],
            ["account.id"],
            name=op.f("fk_delegation_grantee_account_id_account"),
        ),
        sa.ForeignKeyConstraint(
            ["grantor_account_id"],
            ["account.id"],
            name=op.f("fk_delegation_grantor_account_id_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation")),
    )
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegation_company_id"), ["company_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_delegation_grantee_account_id"), ["grantee_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delegation_grantor_account_id"), ["grantor_account_id"], unique=False
        )

    op.create_table(
        "audit_entry",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("delegation_id", sa.Uuid(), nullable=True),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_audit_entry_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_key.id"], name=op.f("fk_audit_entry_api_key_id_api_key")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_audit_entry_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegation.id"],
            name=op.f("fk_audit_entry_delegation_id_delegation"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_audit_entry_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_company_id"), ["company_id"], unique=False)

    _make_audit_log_append_only()


def downgrade() -> None:
    _allow_audit_log_changes()
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_company_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_account_id"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_grantor_account_id"))
        batch_op.drop_index(batch_op.f("ix_delegation_grantee_account_id"))
        batch_op.drop_index(batch_op.f("ix_delegation_company_id"))

    op.drop_table("delegation")
    with op.batch_alter_table("company_permission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_permission_user_id"))
        batch_op.drop_index(batch_op.f("ix_company_permission_company_id"))

    op.drop_table("company_permission")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_account_id"))

    op.drop_table("api_key")
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_account_id"))

    op.drop_table("company")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_account_id"))

    op.drop_table("app_user")
    op.drop_table("idempotency_record")
    op.drop_table("account")


# The audit log is append-only: the database itself refuses to change or delete an entry.
def _make_audit_log_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END"
            )


def _allow_audit_log_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER audit_entry_no_update")
        op.execute("DROP TRIGGER audit_entry_no_delete")
