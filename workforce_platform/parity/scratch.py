"""The parity gate's scratch databases: the year's SQL side is built in `parity.duckdb` of a
scratch folder, in a temporary folder of the gate or beside the scenario's database when the helper
builds it (`<database>.parity/<scenario_id>-<year>/`)."""

from __future__ import annotations

import shutil
from pathlib import Path

SCRATCH_NAME = "parity.duckdb"  # the scratch database's name, in the gate's folder or beside the engine
PROVENANCE_NAME = "inputs_fingerprint.txt"  # beside it: the inputs fingerprint it was built from


def prebuilt_folder(db_path: Path, scenario_id: str, year: int) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".parity") / f"{scenario_id}-{year}"


def discard(folder: Path) -> None:
    """Deletes a year's scratch folder, and `<database>.parity` with it when no other is left."""
    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.parent.rmdir()
    except OSError:
        pass
