"""The issue store: one SQLite file, written whole by a build and only ever read by the service.

This package is the only code that speaks SQL.
"""

from service.store.reader import NO_STORE, Store, open_store
from service.store.writer import SCHEMA_VERSION, write_store

__all__ = ["NO_STORE", "SCHEMA_VERSION", "Store", "open_store", "write_store"]
