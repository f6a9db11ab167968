"""A link on every page to the same page in the book's other language.

The English edition sits at the root of the built site and the Chinese one
in ``zh/`` (``course_tools/i18n.py`` builds both). Every page gets, in its
article header, a button to its twin in the other edition and a
``<link rel="alternate" hreflang>`` in its head. The link is relative
(``../zh/book/01_foundations.html``), so it works from ``file://`` and
under any server path. On the Chinese pages, a download of a student
notebook from ``exercises/`` offers its Chinese twin in ``exercises-zh/``.

Configuration (``conf.py`` names; all optional):

- ``language_switch_root``: the other edition's root, relative to this
  edition's root (default ``zh/`` in English, ``../`` in Chinese);
- ``language_switch_label`` and ``language_switch_hreflang``: the button's
  text and the other edition's language.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import DictLoader
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

TEMPLATE = "language-switch.html"

#: language of this edition -> (other root, label, other language, title)
EDITIONS = {
    "en": ("zh/", "中文", "zh-CN", "Read this page in Chinese"),
    "zh": ("../", "English", "en", "阅读本页的英文原版"),
}

BUTTONS = "article-header-buttons.html"

# The theme stacks the header's end items; the switch shares one row with
# the theme's own buttons, which it includes.
_HTML = """\
{%- set s = language_switch -%}
<div class="course-header-end" \
style="display: flex; align-items: center; flex-wrap: wrap">
<a class="btn btn-sm course-language-switch" href="{{ s.url|e }}" \
hreflang="{{ s.hreflang|e }}" lang="{{ s.hreflang|e }}" \
title="{{ s.title|e }}" aria-label="{{ s.title|e }}">\
<i class="fa-solid fa-language" aria-hidden="true"></i> \
<span class="course-language-switch-label">{{ s.label|e }}</span></a>
{%- if s.buttons %}{% include s.buttons %}{% endif %}
</div>
"""


def edition(language: str | None) -> tuple[str, str, str, str]:
    """This edition's row of ``EDITIONS``: Chinese for any ``zh*``
    language, English otherwise."""
    key = "zh" if (language or "").lower().startswith("zh") else "en"
    return EDITIONS[key]


def page_url(pagename: str, target_uri: str, other_root: str) -> str:
    """The other edition's copy of a page, relative to this page."""
    up = "../" * pagename.count("/")
    root = other_root
    if root and not root.endswith("/"):
        root += "/"
    return up + root + target_uri


def _add_template(app):
    templates = getattr(app.builder, "templates", None)
    if app.builder.format != "html" or templates is None:
        return
    templates.loaders.insert(0, DictLoader({TEMPLATE: _HTML}))


def _page_context(app, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    other_root, label, hreflang, title = edition(app.config.language)
    other_root = app.config.language_switch_root or other_root
    url = page_url(pagename, app.builder.get_target_uri(pagename), other_root)
    items = context.get("theme_article_header_end") or []
    if isinstance(items, str):
        items = [item.strip() for item in items.split(",") if item.strip()]
    context["language_switch"] = {
        "url": url,
        "label": app.config.language_switch_label or label,
        "hreflang": app.config.language_switch_hreflang or hreflang,
        "title": title,
        "buttons": BUTTONS if BUTTONS in items else "",
    }
    if TEMPLATE not in items:
        rest = [item for item in items if item != BUTTONS]
        context["theme_article_header_end"] = [TEMPLATE, *rest]
    lang = context["language_switch"]["hreflang"]
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{lang}" href="{url}" />')


#: Where each edition's student notebooks are (``make release`` writes both).
EXERCISES = {"en": "exercises/", "zh": "exercises-zh/"}


def chinese_download(target: str, exists) -> str:
    """The Chinese twin of a download of an English student notebook
    (``../exercises/01-foundations/foundations.ipynb``), when ``exists``."""
    parts = target.split("/")
    if EXERCISES["en"].rstrip("/") not in parts:
        return target
    at = parts.index(EXERCISES["en"].rstrip("/"))
    twin = "/".join([*parts[:at], EXERCISES["zh"].rstrip("/"), *parts[at + 1:]])
    return twin if exists(twin) else target


class ChineseDownloads(SphinxTransform):
    """On a Chinese page, an assignment's download is its Chinese notebook."""

    # After Sphinx has put the translated paragraphs in (Locale, 20).
    default_priority = 30

    def apply(self, **kwargs):
        if not (self.config.language or "").lower().startswith("zh"):
            return
        here = Path(self.env.doc2path(self.env.docname)).parent
        for node in self.document.findall(addnodes.download_reference):
            node["reftarget"] = chinese_download(
                node["reftarget"], lambda t: (here / t).is_file())


def setup(app):
    app.add_transform(ChineseDownloads)
    app.add_config_value("language_switch_root", "", "html", str)
    app.add_config_value("language_switch_label", "", "html", str)
    app.add_config_value("language_switch_hreflang", "", "html", str)
    app.connect("builder-inited", _add_template)
    # Before the theme turns its template lists into the page's sections.
    app.connect("html-page-context", _page_context, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
