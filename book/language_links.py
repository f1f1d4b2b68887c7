"""A Sphinx extension: every page links to the same page in the book's other language.

The English book is published at the site's root and the Chinese one under zh/ (see
book/translate.py), with the same page names. The setting `language_links` names the other
edition: {"label": "中文", "lang": "zh-CN", "root": "zh/"} in the English _config.yml,
{"label": "English", "lang": "en", "root": "../"} in the Chinese one. Each page then gets a
button in its header (the template _templates/language-switch.html) and a
<link rel="alternate" hreflang=...> for search engines.
"""
from pathlib import Path


def add_link(app, pagename, templatename, context, doctree):
    other = app.config.language_links
    if not other:
        return
    up = "../" * pagename.count("/")  # from this page back to the book's root
    url = f"{up}{other['root']}{pagename}.html"
    context["other_language"] = dict(other, url=url)
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{other["lang"]}" href="{url}" />')


def use_templates(app, config):
    here = Path(__file__).parent
    config.templates_path.append(str(here / "_templates"))
    config.html_static_path.append(str(here / "_static"))
    # The button sits before the theme's own buttons (download, launch, full screen).
    options = config.html_theme_options
    header = options.get("article_header_end", ["article-header-buttons.html"])
    if "language-switch.html" not in header:
        options["article_header_end"] = ["language-switch.html", *header]


def setup(app):
    app.add_config_value("language_links", {}, "html")
    app.connect("config-inited", use_templates)
    app.connect("html-page-context", add_link)
    app.add_css_file("language-switch.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
