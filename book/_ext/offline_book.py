"""Keep the built book self-contained and quiet in the browser console.

- drop the live-code (Thebe) scripts, which load their library from a CDN
  and are included twice by the theme;
- give the light/dark switch a valid starting mode for a fresh browser.
"""


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


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
