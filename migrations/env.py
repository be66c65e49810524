"""Alembic environment: runs on a connection handed over by archiver.store.engine, or one made from -x db=."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine

from archiver.config import database_url
from archiver.store.engine import schema_object_included
from archiver.store.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("connection") is None:
    # Only the standalone `alembic` command configures logging; never silence the app's loggers.
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTER TABLE
        compare_type=True,
        include_object=schema_object_included,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or database_url(context.get_x_argument(as_dictionary=True).get("db"))
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or database_url(context.get_x_argument(as_dictionary=True).get("db"))
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
