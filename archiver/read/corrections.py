"""`corrections`: the lineage corrections set by hand, as `archive corrections --json` lists them."""

from __future__ import annotations

from typing import Any

from archiver.lineage.corrections import correction_record
from archiver.store.corrections import corrections_all
from archiver.store.engine import Archive


def corrections_list(archive: Archive) -> list[dict[str, Any]]:
    """Every correction, oldest first."""
    with archive.session() as session:
        return [correction_record(c) for c in corrections_all(session)]
