"""The Chinese edition (zh/) builds offline and warning-free from the stored outputs: in Chinese,
with the English book's theme, searchable in Chinese, every page linked to its English twin, and
its launch buttons opening the Chinese notebooks. (The notebooks' code is the English code, which
the English tests run: tests/test_translation.py proves the cells identical.)"""
import json
import re
import shutil
import subprocess
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
        assert "Search this book" not in html_, f"{name}: the search box speaks English"
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
    for word in ("卷积", "汇聚", "训练", "精度", "学习率", "卷积层", "汇聚层", "批量规范化"):
        assert word in terms, f"the search index has no entry for {word}"


# The built book's own search code, run in Node on the built index: the scripts of search.html in
# its order, with just enough of a browser (a page still loading, so that no page set-up runs).
# Prints {query: {"terms": the words searched for, "pages": the pages found}}.
SEARCH_JS = r"""
const fs = require("fs"), path = require("path"), vm = require("vm");
const [html, ...queries] = process.argv.slice(2);
const noop = () => {};
const context = vm.createContext({
  console, URLSearchParams,
  document: {readyState: "loading", addEventListener: noop, getElementById: () => null,
             querySelector: () => null, querySelectorAll: () => [], documentElement: {dataset: {}}},
  window: {location: {search: ""}, setTimeout: noop},
  localStorage: {getItem: () => null, setItem: noop, removeItem: noop},
});
for (const name of ["_static/documentation_options.js", "_static/doctools.js",
                    "_static/sphinx_highlight.js", "_static/translations.js",
                    "_static/searchtools.js", "_static/language_data.js", "searchindex.js"]) {
  const file = path.join(html, name);
  if (name === "_static/translations.js" && !fs.existsSync(file)) continue;
  vm.runInContext(fs.readFileSync(file, "utf8"), context, {filename: name});
}
const found = {};
for (const query of queries) {
  context.query = query;
  found[query] = vm.runInContext(`(() => {
    const [q, terms, excluded, highlight, objects] = Search._parseQuery(query);
    const results = Search._performSearch(q, terms, excluded, highlight, objects);
    return {terms: [...terms], pages: [...new Set(results.map((r) => r[0]))]};
  })()`, context);
}
console.log(JSON.stringify(found));
"""


def search(book: Path, tmp_path: Path, *queries: str) -> dict:
    """What the search page of `book` finds for each query, run by its own scripts in Node."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js (node) is not installed: the book's search code cannot be run")
    script = tmp_path / "search.js"
    script.write_text(SEARCH_JS, encoding="utf-8")
    run = subprocess.run([node, str(script), str(book), *queries],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"the search code failed in Node:\n{run.stderr[-3000:]}"
    return json.loads(run.stdout)


def zh_sources(book: Path) -> dict[str, tuple[str, str]]:
    """Each page of the built Chinese book -> (its prose, the whole text of its source)."""
    sources = {}
    for path in sorted((ROOT / "zh").glob("book/*.md")) + sorted((ROOT / "zh").glob("notebooks/*.ipynb")):
        pagename = path.relative_to(ROOT / "zh").with_suffix("").as_posix()
        if not (book / f"{pagename}.html").is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            sources[pagename] = (text, text)
        else:
            prose = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"]
                              if c["cell_type"] == "markdown" and "remove-cell" not in cell_tags(c))
            sources[pagename] = (prose, text)
    return sources


def test_search_box_finds_whole_words(zh_book, tmp_path):
    """A Chinese term typed whole into the search box finds every page whose prose uses it.

    jieba cuts 学习率 into 学习 + 率 and the index drops one-character words, while the search box
    looked the typed query up whole: 学习率, 卷积层, 批量规范化 found nothing. book/zh_search.py
    gives jieba the book's terms, and the search box cuts a query into the index's words."""
    teaches = {"学习率": ["notebooks/03_training", "book/glossary"],
               "卷积层": ["notebooks/01_lenet_architecture"],
               "汇聚层": ["notebooks/01_lenet_architecture"],
               "批量规范化": ["notebooks/05_modern_lenet", "book/glossary"],
               # two-character words, which jieba always kept whole
               "卷积": ["notebooks/01_lenet_architecture", "book/glossary"],
               "训练": ["notebooks/03_training"]}
    # Not one indexed word: cut into the indexed words 测试 + 精度, pages with both are found.
    phrase = "测试精度"
    nonsense = ["香蕉飞船", "卷积香蕉", "qwertyuiop"]
    found = search(zh_book, tmp_path, *teaches, phrase, *nonsense)
    sources = zh_sources(zh_book)
    for word, pages in teaches.items():
        assert found[word]["terms"] == [word], f"{word} was not searched for whole: {found[word]}"
        for pagename in pages:
            assert pagename in found[word]["pages"], f"searching {word} does not find {pagename}"
        uses = {name for name, (prose, _) in sources.items() if word in prose}
        missed = uses - set(found[word]["pages"])
        assert not missed, f"searching {word} misses pages that use it: {sorted(missed)}"
        wrong = {name for name in found[word]["pages"] if word not in sources[name][1]}
        assert not wrong, f"searching {word} finds pages without it: {sorted(wrong)}"
    assert found[phrase]["terms"] == ["测试", "精度"], found[phrase]
    missed = {name for name, (prose, _) in sources.items() if phrase in prose} - set(found[phrase]["pages"])
    assert not missed, f"searching {phrase} misses pages that use it: {sorted(missed)}"
    for word in nonsense:
        assert found[word]["pages"] == [], f"the nonsense {word} finds {found[word]['pages']}"


def test_launch_buttons_open_the_chinese_notebooks(zh_book):
    for stem in CHAPTERS:
        html_ = page(zh_book, f"notebooks/{stem}")
        colab = re.search(r'href="(https://colab\.research\.google\.com/[^"]+)"', html_)
        binder = re.search(r'href="(https://mybinder\.org/[^"]+)"', html_)
        assert colab and colab.group(1).endswith(f"/zh/notebooks/{stem}.ipynb"), colab
        assert binder and f"zh/notebooks/{stem}.ipynb" in binder.group(1).replace("%2F", "/"), binder
