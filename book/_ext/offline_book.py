"""Keep the built book self-contained and quiet in the browser console.

- drop the live-code (Thebe) scripts, which load their library from a CDN
  and are included twice by the theme;
- give the light/dark switch a valid starting mode for a fresh browser;
- add the course's stylesheet (``static/course.css``): long inline code
  wraps on narrow screens, Chinese text gets the shipped CJK font, and a
  printed chapter keeps only its article; and its script
  (``static/course.js``), which captions pre-rendered figures for print;
- find the search scorer (``html_search_scorer`` in ``_config.yml``, a path
  relative to the book's root) wherever the build is started from.
"""

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


def _drop_thebe(app, pagename, templatename, context, doctree):
    if not context.get("default_mode"):
        context["default_mode"] = "light"
    scripts = context.get("script_files")
    if not scripts:
        return
    kept = []
    for js in scripts:
        body = getattr(js, "attributes", {}).get("body", "")
        if "sphinx-thebe" in str(js) or "THEBE_JS_URL" in body:
            continue
        kept.append(js)
    context["script_files"] = kept


def _resolve_scorer(app, config):
    scorer = config.html_search_scorer
    if scorer and not Path(scorer).is_absolute():
        config.html_search_scorer = str(Path(app.srcdir) / scorer)


def _add_static(app):
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("builder-inited", _add_static)
    app.connect("config-inited", _resolve_scorer)
    app.add_css_file("course.css")
    app.add_js_file("course.js")
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
