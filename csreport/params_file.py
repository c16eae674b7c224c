"""Reading the YAML files under ``params/`` with one kind of error message."""

from __future__ import annotations

from pathlib import Path

import yaml

from csreport.errors import ParameterError


def read_params_file(path: str | Path, what: str, fix: str) -> dict:
    """The mapping at the top of the YAML file ``path``; a missing file, invalid YAML or a top level that is
    not a mapping is a :class:`ParameterError` naming the file, the ``what`` and the ``fix``."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: {what} not found. {fix}")
    try:
        # the C loader when PyYAML has it (same result, ~10× faster: a chapter reads its parameter files on open)
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML ({exc}).") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: the {what} must be a YAML mapping (key: value), found {type(raw).__name__}.")
    return raw
