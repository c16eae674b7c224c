"""Pages that load nothing from outside themselves: the Content-Security-Policy every written page carries, and
a parser that lists what a page would request (``src``, stylesheet and icon ``href``, ``srcset``, CSS
``@import`` and ``url(...)``) other than ``data:`` URIs and in-page ``#fragments``."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

#: built-in report and index: no script at all, styles inline, images embedded as data URIs
CSP_BUILTIN = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
#: Quarto's self-contained HTML (embed-resources) inlines its own scripts, styles and fonts, some as data URIs
CSP_QUARTO = (
    "default-src 'none'; script-src 'unsafe-inline' data:; style-src 'unsafe-inline' data:; img-src data:; "
    "font-src data:; base-uri 'none'; form-action 'none'"
)

_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I | re.S)
_SRCSET_URL = re.compile(r"(\S+)(?:\s+[^,]*)?,?")
_LOADING_ATTRS = {"src", "poster", "background", "manifest", "codebase"}
_LOADING_LINKS = {"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest", "preconnect",
                  "dns-prefetch", "apple-touch-icon", "shortcut"}  # fmt: skip


def csp_meta(policy: str) -> str:
    """The ``<meta http-equiv="Content-Security-Policy">`` element for ``policy``."""
    content = html.escape(policy, quote=False).replace('"', "&quot;")
    return f'<meta http-equiv="Content-Security-Policy" content="{content}">'


def with_csp(page: str, policy: str) -> str:
    """Insert the CSP meta element as the first element of ``<head>``, before anything that could load."""
    if not re.search(r"<head[^>]*>", page, flags=re.I):
        raise ValueError("page has no <head> element for the Content-Security-Policy")
    return re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + csp_meta(policy), page, count=1, flags=re.I)


def _leaves_page(url: str) -> bool:
    url = url.strip()
    return bool(url) and not url.startswith("#") and not url.lower().startswith("data:")


def _css_urls(css: str) -> list[str]:
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in _CSS_URL.finditer(css)]


class _Requests(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.policies: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in _LOADING_ATTRS or (tag == "object" and name == "data"):
                self.found.append(value)
            elif name in {"srcset", "imagesrcset"}:
                self.found += [url.rstrip(",") for url in _SRCSET_URL.findall(value)]  # data: URIs hold commas
            elif name == "style":
                self.found += _css_urls(value)
        rel = set(values.get("rel", "").lower().split())
        if tag == "link" and rel & _LOADING_LINKS:
            self.found.append(values.get("href", ""))
        if tag in {"base", "image", "use"} and (values.get("href") or values.get("xlink:href")):
            self.found.append(values.get("href") or values.get("xlink:href") or "")
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.policies.append(values.get("content", ""))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append(values.get("content", "").partition("=")[2] or "refresh")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += _css_urls(data)


def _parse(page: str) -> _Requests:
    parser = _Requests()
    parser.feed(page)
    parser.close()
    return parser


def content_security_policies(page: str) -> list[str]:
    """The policies of the page's ``<meta http-equiv="Content-Security-Policy">`` elements, entities decoded."""
    return _parse(page).policies


def external_requests(page: str) -> list[str]:
    """Every URL the page would fetch that is not inside it: anything but ``data:`` URIs and ``#fragments``
    in loading attributes, stylesheet/icon/preload links, ``srcset``, inline styles, ``@import`` and
    ``url(...)`` in ``<style>``. Links a reader follows (``<a href>``) are not requests and are not listed."""
    return [url for url in _parse(page).found if _leaves_page(url)]
