"""Keep the built book self-contained and quiet in the browser console.

- drop the live-code (Thebe) scripts, which load their library from a CDN
  and are included twice by the theme;
- give the light/dark switch a valid starting mode for a fresh browser;
- add the course's stylesheet (``static/course.css``): long inline code
  wraps on narrow screens, and a printed chapter keeps only its article.
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


def _add_static(app):
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("builder-inited", _add_static)
    app.add_css_file("course.css")
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
