"""Which search engine an application uses: SEARCH_BACKEND "whoosh" (the default) or "postgres"."""
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from search.engine import SearchEngine, WhooshEngine
from search.pg_engine import PostgresEngine

BACKENDS = ("whoosh", "postgres")


def check_backend(config) -> str:
    """The configured backend's name; ValueError for an unknown one, or postgres without PostgreSQL."""
    backend = str(config.get("SEARCH_BACKEND") or "whoosh").strip().lower()
    if backend not in BACKENDS:
        raise ValueError("KNOWHOW_SEARCH_BACKEND must be one of %s, not %r." % (", ".join(BACKENDS), backend))
    if backend == "postgres" and make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        raise ValueError("KNOWHOW_SEARCH_BACKEND=postgres keeps the index in the application's database, "
                         "which must then be PostgreSQL (set KNOWHOW_DATABASE_URL=postgresql://…).")
    return backend


def make_engine(config, index_dir, lock_wait) -> SearchEngine:
    """The search engine the settings choose: a Whoosh index in index_dir, or the application's
    PostgreSQL database, on connections of its own (the engine core knows no Flask)."""
    if check_backend(config) == "postgres":
        bind = create_engine(config["SQLALCHEMY_DATABASE_URI"], **config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        return PostgresEngine(bind, lock_wait=lock_wait)
    return WhooshEngine(index_dir, lock_wait=lock_wait)
