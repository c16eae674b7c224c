"""Display names of data values (``params/labels.yml``): what the report prints for a code of the data, per
report language, e.g. the unit ``south`` as "South" / "华南", the category ``technical`` as "Technical" / "技术".

A code without a name is shown by :func:`default_label` ("wechat_service" → "Wechat service"); a language
without a name takes the English one. A mapping file (``params/mapping/*.yml``) may name the codes it creates
under ``labels:``; its names win over the labels file for those codes (:meth:`Labels.merged`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from csreport.errors import ParameterError
from csreport.params_file import read_params_file

# the columns of the data contract whose values are named, and the kind (section of labels.yml) naming them;
# any other column (an extra customer attribute such as plan) is named by a section of its own name
COLUMN_KINDS = {
    "business_unit": "units",
    "channel": "channels",
    "category": "categories",
    "segment": "segments",
    "region": "regions",
    "gender": "genders",
    "team": "teams",
    "feature": "features",
    "source": "competitors",
}
KINDS = tuple(COLUMN_KINDS.values())
FALLBACK_LANG = "en"


def default_label(code) -> str:
    """The name of a code nobody named: underscores as spaces, the first letter capitalised, the rest as it
    is (``wechat_service`` → ``Wechat service``, ``WeChat service`` stays, ``east-1`` → ``East-1``)."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Labels:
    """Names of data values: ``names[kind][code][lang]``."""

    names: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)

    def name(self, kind: str, code, lang: str) -> str:
        """The name of ``code`` of ``kind`` (a section such as ``channels``, or a column such as ``channel``) in
        ``lang``; the English name when ``lang`` has none; :func:`default_label` when the code has none."""
        if code is None or code != code:  # None or NaN
            return ""
        entry = self.names.get(COLUMN_KINDS.get(kind, kind), {}).get(str(code))
        if entry:
            return entry.get(lang) or entry.get(FALLBACK_LANG) or default_label(code)
        return default_label(code)

    def merged(self, other: Labels) -> Labels:
        """These labels with ``other``'s names added; ``other`` wins for a code both name."""
        names = {kind: dict(codes) for kind, codes in self.names.items()}
        for kind, codes in other.names.items():
            for code, entry in codes.items():
                names.setdefault(kind, {})[code] = {**names.get(kind, {}).get(code, {}), **entry}
        return Labels(_frozen(names))


NO_LABELS = Labels()


def _frozen(names: dict) -> Mapping:
    return MappingProxyType({k: MappingProxyType({c: MappingProxyType(dict(e)) for c, e in v.items()})
                             for k, v in names.items()})  # fmt: skip


def parse_labels(raw: Mapping, source: str) -> Labels:
    """Labels from the mapping ``raw`` (``kind: {code: {lang: name}}``) read from ``source`` (named in errors)."""
    names: dict[str, dict[str, dict[str, str]]] = {}
    for kind, codes in (raw or {}).items():
        if not isinstance(codes, Mapping):
            raise ParameterError(
                f"{source}: labels '{kind}' must map codes to names, e.g. east: {{en: East, zh: 华东}}."
            )
        for code, entry in codes.items():
            if isinstance(entry, str):  # one name for every language
                entry = {FALLBACK_LANG: entry}
            if not isinstance(entry, Mapping) or not all(isinstance(v, str) for v in entry.values()):
                raise ParameterError(
                    f"{source}: label of {kind} '{code}' must be a mapping of language to name, found {entry!r}."
                )
            names.setdefault(str(kind), {})[str(code)] = {str(lang): name for lang, name in entry.items()}
    return Labels(_frozen(names))


def load_labels(path: str | Path | None, mapping_labels: Labels | None = None) -> Labels:
    """The labels file ``path`` (None: no names) with the labels a mapping file declares on top."""
    labels = (
        parse_labels(read_params_file(path, "labels file", "Copy params/labels.yml of a new project."), str(path))
        if path
        else NO_LABELS
    )
    return labels.merged(mapping_labels) if mapping_labels else labels
