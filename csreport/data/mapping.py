"""Column and code mappings (``params/mapping/*.yml``) that turn a foreign export into the contract.

A mapping file looks like::

    name: helpdesk_cn
    tables:
      contacts:
        file: 工单导出            # file stem in the data directory (default: the table name)
        sheet: 0                  # Excel sheet name or index (default: the first)
        columns:                  # canonical name: name in the export
          contact_id: 工单号
        values:                   # canonical column: {code in the export: contract value}
          channel: {电话: phone}
        timestamp_formats: ["%Y/%m/%d %H:%M"]   # tried after ISO 8601
        constants:                # columns the export lacks, filled with one value
          business_unit: east
    labels:                       # display names of the codes the mapping creates (as params/labels.yml)
      units: {east: {zh: 华东}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csreport.data.schemas import SCHEMAS
from csreport.errors import ParameterError
from csreport.language.labels import NO_LABELS, Labels, load_labels, parse_labels
from csreport.params_file import read_params_file

if TYPE_CHECKING:
    from csreport.settings import Settings

_TABLE_KEYS = {"file", "sheet", "columns", "values", "timestamp_formats", "constants"}


@dataclass(frozen=True)
class TableMapping:
    """How one table of an export maps onto the contract (identity when empty)."""

    file: str | None = None
    sheet: str | int = 0
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    timestamp_formats: tuple[str, ...] = ()
    constants: dict[str, Any] = field(default_factory=dict)

    def source_name(self, canonical: str) -> str:
        """Column name in the export for a canonical column."""
        return self.columns.get(canonical, canonical)


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file: one :class:`TableMapping` per table (missing tables map by identity)."""

    name: str = "identity"
    tables: dict[str, TableMapping] = field(default_factory=dict)
    path: str | None = None
    labels: Labels = NO_LABELS  # names of the codes it creates (csreport.language.labels), e.g. south: {zh: 华南}

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name, TableMapping())


IDENTITY = Mapping()


def load_mapping(path: str | Path | None) -> Mapping:
    """Read and check a mapping file; ``None`` gives the identity mapping."""
    if path is None:
        return IDENTITY
    path = Path(path)
    raw = read_params_file(path, "mapping file", "Pass an existing file from params/mapping/.")
    tables: dict[str, TableMapping] = {}
    for table, spec in (raw.get("tables") or {}).items():
        if table not in SCHEMAS:
            raise ParameterError(f"{path}: unknown table '{table}'. Tables of the contract: {', '.join(SCHEMAS)}.")
        spec = spec or {}
        unknown = set(spec) - _TABLE_KEYS
        if unknown:
            raise ParameterError(
                f"{path}: table '{table}' has unknown keys {sorted(unknown)}; allowed: {sorted(_TABLE_KEYS)}."
            )
        columns = {str(k): str(v) for k, v in (spec.get("columns") or {}).items()}
        contract_columns = set(SCHEMAS[table].columns)
        for key in [*columns, *(spec.get("values") or {}), *(spec.get("constants") or {})]:
            if key not in contract_columns:
                raise ParameterError(
                    f"{path}: '{table}.{key}' is not a column of the contract; columns: {', '.join(contract_columns)}."
                )
        tables[table] = TableMapping(
            file=spec.get("file"),
            sheet=spec.get("sheet", 0),
            columns=columns,
            values={c: {str(k): v for k, v in m.items()} for c, m in (spec.get("values") or {}).items()},
            timestamp_formats=tuple(spec.get("timestamp_formats") or ()),
            constants=dict(spec.get("constants") or {}),
        )
    labels = parse_labels(raw.get("labels") or {}, str(path))
    return Mapping(name=str(raw.get("name", path.stem)), tables=tables, path=str(path), labels=labels)


def run_labels(settings: Settings) -> Labels:
    """The display names of data values for a run: the settings' labels file with the names in its mapping file
    on top (a mapping names the codes it creates, :mod:`csreport.language.labels`)."""
    return load_labels(settings.labels, load_mapping(settings.mapping).labels if settings.mapping else None)
