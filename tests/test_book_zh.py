"""The Chinese edition (zh/) builds offline and warning-free from the stored outputs: in Chinese,
with the English book's theme, searchable in Chinese, every page linked to its English twin, and
its launch buttons opening the Chinese notebooks. (The notebooks' code is the English code, which
the English tests run: tests/test_translation.py proves the cells identical.)"""
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from test_book import (ROOT, SHAPE_TABLE, broken_links, build, cell_tags, language_link,
                       notebook_json, outputs, page, rendered_pages, source_of)

CJK = re.compile(r"[\u4e00-\u9fff]")
CHAPTERS = [p.stem for p in sorted((ROOT / "zh" / "notebooks").glob("0?_*.ipynb"))
            if "solutions" not in p.stem]


@pytest.fixture(scope="module")
def zh_book(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("zh-src")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_build", "locale")
    shutil.copytree(ROOT / "zh", src / "zh", ignore=ignore)
    shutil.copytree(ROOT / "book", src / "book", ignore=ignore)  # the language_links extension
    config = yaml.safe_load((src / "zh" / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "off", \
        "the Chinese edition shows the English run's stored outputs; it never executes"
    return build(src / "zh", tmp_path_factory.mktemp("zh-out"))


def test_pages_are_in_chinese_with_the_book_theme(zh_book):
    for path in rendered_pages(zh_book):
        html_ = path.read_text(encoding="utf-8")
        name = path.relative_to(zh_book)
        if name.as_posix() == "index.html":  # a redirect to book/intro.html
            continue
        assert '<html lang="zh-CN"' in html_, f"{name}: not marked as Chinese"
        assert "sphinx-book-theme" in html_, f"{name}: not the book's theme"
        assert "_static/zh.css" in html_, f"{name}: without the CJK font settings (zh/_static/zh.css)"
        title = re.search(r"<h1>(.*?)<", html_, re.S)
        if title and name.stem not in ("genindex", "search"):
            assert CJK.search(title.group(1)), f"{name}: the title {title.group(1)!r} is not Chinese"
    css = (zh_book / "_static" / "zh.css").read_text(encoding="utf-8")
    assert "Noto Sans CJK SC" in css and "PingFang SC" in css and "Microsoft YaHei" in css


def test_chapters_show_the_english_runs_outputs(zh_book):
    assert SHAPE_TABLE in outputs(page(zh_book, "notebooks/01_lenet_architecture"))
    for stem in CHAPTERS:
        printed = [
            "".join(o["text"]) for c in notebook_json(stem)["cells"] for o in c.get("outputs", [])
            if o.get("name") == "stdout" and not {"remove-output", "remove-cell"} & cell_tags(c)]
        shown = outputs(page(zh_book, f"notebooks/{stem}"))
        for text in printed:
            first = text.strip().split("\n")[0].strip()
            assert first in shown, f"zh {stem}: the output {first!r} is not shown"


def test_every_page_links_to_the_same_page_in_english(zh_book):
    for path in rendered_pages(zh_book):
        pagename = path.relative_to(zh_book).with_suffix("").as_posix()
        if pagename in ("genindex", "search", "index"):
            continue
        expected = "../" * (pagename.count("/") + 1) + f"{pagename}.html"
        assert language_link(path.read_text(encoding="utf-8")) == expected, \
            f"zh/{pagename}: no link to the English page {expected} in its header"
        assert source_of(ROOT, pagename), f"zh/{pagename}: the English book has no such page"


def test_links_between_pages_lead_somewhere(zh_book):
    broken = broken_links(zh_book)
    assert not broken, "links to missing pages or anchors:\n" + "\n".join(broken)


def test_search_finds_chinese_words(zh_book):
    """Sphinx splits Chinese into words with jieba; without it no Chinese word is searchable."""
    index = (zh_book / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(re.search(r"setIndex\((.*)\)", index, re.S).group(1))["terms"]
    for word in ("卷积", "汇聚", "训练", "精度"):
        assert word in terms, f"the search index has no entry for {word}"


def test_launch_buttons_open_the_chinese_notebooks(zh_book):
    for stem in CHAPTERS:
        html_ = page(zh_book, f"notebooks/{stem}")
        colab = re.search(r'href="(https://colab\.research\.google\.com/[^"]+)"', html_)
        binder = re.search(r'href="(https://mybinder\.org/[^"]+)"', html_)
        assert colab and colab.group(1).endswith(f"/zh/notebooks/{stem}.ipynb"), colab
        assert binder and f"zh/notebooks/{stem}.ipynb" in binder.group(1).replace("%2F", "/"), binder
