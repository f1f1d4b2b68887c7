"""Build the book as a reader gets it and check the rendered pages.

One build per test session, into a temporary folder, with warnings turned into errors (-W) and
nitpicky references (-n). Then each chapter's HTML must show its key outputs (the shape table, the
image grids, the training line, ...) and no page may show error output. The pages must also read
well anywhere: Markdown that a cell displays is rendered (tables become tables), nothing is loaded
from the internet (MathJax comes from the build itself), output images carry alt text, and the
chapter titles of the introduction are the notebooks' own.

The build renders the outputs stored in the notebooks, as `jupyter-book build .` does: they are the
outputs of a real run and are what GitHub, Colab and the book show; nbval (part of `pytest`)
separately re-executes every notebook and compares those outputs. Set LENET_BOOK_EXECUTE=1 to have
this build execute the notebooks again too (it adds the time of running every chapter, 10-epoch
trainings included, once more).
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXECUTE = os.environ.get("LENET_BOOK_EXECUTE") == "1"

# Chapters that may still be missing while the book is being written: the build gets a one-line
# placeholder for each and its check is skipped. Empty this set once all six chapters exist, so that
# a chapter that goes missing later fails the test instead.
PENDING: set[str] = set()

CHAPTERS = ["01_lenet_architecture", "02_fashion_mnist", "03_training", "04_looking_inside",
            "05_modern_lenet", "06_speed", "07_lenet_1998", "08_speedrun"]
# Each chapter's worked solutions, on a page of their own: notebooks/0N_solutions.ipynb.
SOLUTIONS = {stem: f"{stem[:2]}_solutions" for stem in CHAPTERS}

SHAPE_TABLE = """\
Conv2d output shape: \t torch.Size([1, 6, 28, 28])
Sigmoid output shape: \t torch.Size([1, 6, 28, 28])
AvgPool2d output shape: \t torch.Size([1, 6, 14, 14])
Conv2d output shape: \t torch.Size([1, 16, 10, 10])
Sigmoid output shape: \t torch.Size([1, 16, 10, 10])
AvgPool2d output shape: \t torch.Size([1, 16, 5, 5])
Flatten output shape: \t torch.Size([1, 400])
Linear output shape: \t torch.Size([1, 120])
Sigmoid output shape: \t torch.Size([1, 120])
Linear output shape: \t torch.Size([1, 84])
Sigmoid output shape: \t torch.Size([1, 84])
Linear output shape: \t torch.Size([1, 10])"""


def jupyter_book(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the jupyter-book command line of this interpreter's environment."""
    cmd = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=3 * 3600)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """Build a copy of the book sources; return the folder of the rendered HTML."""
    src = tmp_path_factory.mktemp("book-src")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_build")
    # benchmarks/: the speed chapter imports the benchmark code from beside the notebooks.
    for folder in ("book", "notebooks", "benchmarks"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    for stem in PENDING:
        path = src / "notebooks" / f"{stem}.ipynb"
        if not path.exists():
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {stem}\n\nNot written yet.")])
            nbformat.write(nb, path)

    if EXECUTE:
        config = yaml.safe_load((src / "_config.yml").read_text())
        config["execute"]["execute_notebooks"] = "cache"
        (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))

    return build(src, tmp_path_factory.mktemp("book-out"))


def build(src: Path, out: Path) -> Path:
    """Build the book whose _config.yml is in `src`, strictly; return the folder of its HTML."""
    result = jupyter_book("build", str(src), "--path-output", str(out), "-W", "-n", "--keep-going", cwd=src)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"jupyter-book build failed:\n{log[-6000:]}"
    # Sphinx writes "file:line: WARNING: message"; the kernels' own log lines ("[IPKernelApp] WARNING | ...")
    # are not book warnings.
    warnings = [line for line in log.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL|SEVERE): ", line)]
    assert not warnings, "the book build printed warnings:\n" + "\n".join(warnings)
    assert "build succeeded." in log, f"the build did not report success without warnings:\n{log[-3000:]}"
    return out / "_build" / "html"


def page(book: Path, name: str) -> str:
    path = book / f"{name}.html"
    assert path.is_file(), f"{path.name} was not rendered"
    return path.read_text(encoding="utf-8")


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def outputs(page_html: str) -> str:
    """The visible text of all cell outputs on a page."""
    blocks = re.findall(r'<div class="output (?:stream|text_plain)[^"]*">(.*?)</pre>', page_html, re.S)
    return "\n".join(text_of(b) for b in blocks)


def output_images(book: Path, page_html: str) -> list[Path]:
    """Image files shown in the outputs of a notebook page (they exist on disk)."""
    srcs = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+)"', page_html)
    images = [book / s for s in srcs]
    missing = [p.name for p in images if not p.is_file()]
    assert not missing, f"images referenced but not written: {missing}"
    return images


def chapter(book: Path, stem: str) -> str:
    if not (ROOT / "notebooks" / f"{stem}.ipynb").exists():
        if stem in PENDING:
            pytest.skip(f"notebooks/{stem}.ipynb is not written yet (listed in PENDING in tests/test_book.py)")
        pytest.fail(f"notebooks/{stem}.ipynb is missing: every chapter in _toc.yml must exist")
    return page(book, f"notebooks/{stem}")


def test_home_page(book):
    assert (book / "index.html").is_file()
    intro = page(book, "book/intro")
    assert "LeNet, step by step" in intro
    for stem in CHAPTERS:
        assert f"notebooks/{stem}.html" in intro, f"the introduction does not link to {stem}"
    for name in ("book/how_to_run", "book/glossary", "book/references"):
        page(book, name)
    assert "Gradient-based learning applied to document recognition" in page(book, "book/references")


def test_chapter_1_shape_table_and_parameters(book):
    html_ = chapter(book, "01_lenet_architecture")
    shown = outputs(html_)
    assert SHAPE_TABLE in shown, "the twelve-line shape table is not rendered exactly"
    assert "61,706" in shown or "61706" in shown


def test_chapter_2_image_grid_and_batches(book):
    html_ = chapter(book, "02_fashion_mnist")
    images = output_images(book, html_)
    assert images, "no image grid rendered"
    shown = outputs(html_)
    assert "(256, 1, 28, 28)" in shown
    assert "ankle boot" in shown


def test_chapter_3_training_plot_and_result(book):
    html_ = chapter(book, "03_training")
    images = output_images(book, html_)
    assert images, "no training plot rendered (is the notebook stored with its outputs?)"
    assert re.search(r"loss \d\.\d+, train acc \d\.\d+, test acc \d\.\d+", outputs(html_)), \
        "the closing 'loss ..., train acc ..., test acc ...' line is not rendered"


@pytest.mark.parametrize("stem", ["04_looking_inside", "05_modern_lenet", "06_speed"])
def test_later_chapters_show_a_figure_and_numbers(book, stem):
    html_ = chapter(book, stem)
    images = output_images(book, html_)
    assert images, f"{stem}: no figure rendered (is the notebook stored with its outputs?)"
    assert re.search(r"\d+\.\d+", outputs(html_)), f"{stem}: no number in the printed outputs"


def test_no_page_shows_errors(book):
    pages = [p for p in book.rglob("*.html") if "_static" not in p.parts]
    for path in pages:
        html_ = path.read_text(encoding="utf-8")
        name = path.relative_to(book)
        assert 'class="output traceback' not in html_, f"{name} shows a traceback"
        assert "Traceback (most recent call last)" not in html_, f"{name} shows a traceback"
        assert "output_type error" not in html_ and "output error" not in html_, f"{name} shows an error output"
        for block in re.findall(r'<div class="output stderr[^"]*">(.*?)</pre>', html_, re.S):
            assert not re.search(r"Error|Exception|Traceback", text_of(block)), \
                f"{name} shows an error on stderr:\n{text_of(block)[:1000]}"


def test_colab_setup_cell_is_hidden_and_launch_buttons_shown(book):
    for stem in CHAPTERS:
        if not (ROOT / "notebooks" / f"{stem}.ipynb").exists():
            continue
        html_ = page(book, f"notebooks/{stem}")
        # The setup cell's own first line (a chapter may still mention Colab in its own code).
        assert "install the helper package of this book" not in html_, \
            f"{stem}: the Colab setup cell is rendered"
        assert "colab.research.google.com" in html_, f"{stem}: no Colab launch button"
        assert "mybinder.org" in html_, f"{stem}: no Binder launch button"


# --- The page reads well wherever it is opened --------------------------------------------------

# Elements that never have an end tag: they are not pushed on PageParser's stack.
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                 "source", "track", "wbr"}

# <link rel=...> values that only name a related page; a browser does not fetch them to show this one.
LINK_RELS_NOT_FETCHED = {"alternate", "author", "bookmark", "canonical", "help", "index", "license",
                         "next", "prev", "search", "top", "up"}

# Attributes through which a browser loads a resource by itself (<a href> is a link, not a load).
LOADING_ATTRIBUTES = ("src", "href", "data", "poster", "srcset", "imagesrcset", "background", "action")

# The delimiter row of a Markdown table, e.g. "|---|--:|"; seen as text, the table was not rendered.
TABLE_DELIMITER_ROW = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$", re.M)

# In CSS, a url(...) or @import that reaches another host.
REMOTE_IN_CSS = re.compile(r"(?:url\(|@import)\s*(?:url\()?\s*['\"]?\s*(?:https?:)?//", re.I)


class PageParser(HTMLParser):
    """Every start tag of a rendered page, with the cell output (if any) it sits in.

    `tags` holds (tag, attributes, output) where output numbers the enclosing
    `<div class="cell_output ...">` of a notebook cell (None outside outputs); `output_text` holds
    the visible text of each output; `styles` the CSS written into the page itself.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str], int | None]] = []
        self.output_text: dict[int, list[str]] = {}
        self.styles: list[str] = []
        self._stack: list[tuple[str, int | None]] = []
        self._outputs = 0
        self._in_style = False

    def _output(self) -> int | None:
        return self._stack[-1][1] if self._stack else None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        output = self._output()
        if "cell_output" in attrs.get("class", "").split():
            self._outputs += 1
            output = self._outputs
            self.output_text[output] = []
        self.tags.append((tag, attrs, output))
        if "style" in attrs:
            self.styles.append(attrs["style"])
        self._in_style = tag == "style"
        if tag not in VOID_ELEMENTS:
            self._stack.append((tag, output))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self._stack.pop()

    def handle_endtag(self, tag):
        self._in_style = False
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
        output = self._output()
        if output is not None:
            self.output_text[output].append(data)


def parse(page_html: str) -> PageParser:
    parser = PageParser()
    parser.feed(page_html)
    parser.close()
    return parser


def rendered_pages(book: Path) -> list[Path]:
    """The book's pages (the theme's template snippets under _static are not pages)."""
    return sorted(p for p in book.rglob("*.html") if "_static" not in p.relative_to(book).parts)


def is_remote(url: str) -> bool:
    """True for an address on another host: http(s)://... or protocol-relative //..."""
    return bool(re.match(r"\s*(?:https?:)?//", url, re.I))


def local_file(page_path: Path, url: str) -> Path:
    """The file a relative address of a page points to (query and fragment dropped)."""
    return (page_path.parent / unquote(urlsplit(url).path)).resolve()


def notebook_json(stem: str) -> dict:
    return json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))


def cell_tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def existing_chapters() -> list[str]:
    return [stem for stem in CHAPTERS if (ROOT / "notebooks" / f"{stem}.ipynb").exists()]


def stored_markdown_tables(stem: str) -> int:
    """How many Markdown tables the stored text/markdown outputs that the book shows hold."""
    count = 0
    for cell in notebook_json(stem)["cells"]:
        if cell["cell_type"] != "code" or cell_tags(cell) & {"remove-cell", "remove-output"}:
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            # Only where Markdown is the form the page shows (HTML or an image would win).
            shown_instead = "text/html" in data or any(k.startswith("image/") for k in data)
            if "text/markdown" not in data or shown_instead:
                continue
            text = data["text/markdown"]
            text = "".join(text) if isinstance(text, list) else text
            count += len(TABLE_DELIMITER_ROW.findall(text))
    return count


def test_markdown_outputs_render_as_tables(book):
    """Markdown a cell displays (chapter 6's result tables) is rendered, not shown as raw text."""
    expected = {stem: stored_markdown_tables(stem) for stem in existing_chapters()}
    if not any(expected.values()):
        pytest.skip("no chapter displays a Markdown table in its stored outputs")
    for stem, n_tables in expected.items():
        parsed = parse(chapter(book, stem))
        tables = [tag for tag, _, output in parsed.tags if tag == "table" and output is not None]
        assert len(tables) >= n_tables, (
            f"{stem}: the stored outputs display {n_tables} Markdown table(s) but the page shows "
            f"{len(tables)} <table> in its cell outputs. Keep `nb_render_markdown_format: myst` under "
            f"`sphinx: config:` in _config.yml (myst-nb's default, commonmark, has no tables).")
        raw = [line for texts in parsed.output_text.values()
               for line in TABLE_DELIMITER_ROW.findall("".join(texts))]
        assert not raw, f"{stem}: a Markdown table is shown as raw text in a cell output"


def test_streams_of_a_cell_share_one_box(book):
    """All the printed text of one cell shows in one box (nb_merge_streams), as Jupyter shows it."""
    for stem in existing_chapters():
        parsed = parse(chapter(book, stem))
        boxes: dict[tuple[int, str], int] = {}
        for tag, attrs, output in parsed.tags:
            classes = attrs.get("class", "").split()
            if output is None or tag != "div" or "output" not in classes:
                continue
            for kind in ("stream", "stderr"):
                if kind in classes:
                    boxes[output, kind] = boxes.get((output, kind), 0) + 1
        split = [f"{count} {kind} boxes in the output that begins "
                 f"{''.join(parsed.output_text[number]).strip()[:50]!r}"
                 for (number, kind), count in sorted(boxes.items()) if count > 1]
        assert not split, (f"{stem}: one cell's printed text is split over several boxes ({split}); "
                           f"keep `nb_merge_streams: true` under `sphinx: config:` in _config.yml")


def test_pages_load_nothing_from_the_internet(book):
    """Every script, stylesheet, font and image a page loads by itself comes from the build."""
    problems = []
    stylesheets: set[Path] = set()
    for path in rendered_pages(book):
        name = path.relative_to(book)
        parsed = parse(path.read_text(encoding="utf-8"))
        for tag, attrs, _ in parsed.tags:
            if tag in ("a", "area"):
                continue  # a link the reader may follow (Colab, Binder, citations) loads nothing
            rels = set(attrs.get("rel", "").lower().split())
            if tag == "link" and rels and rels <= LINK_RELS_NOT_FETCHED:
                continue
            for attr in LOADING_ATTRIBUTES:
                value = attrs.get(attr)
                if not value:
                    continue
                urls = [part.split()[0] for part in value.split(",") if part.split()] \
                    if attr.endswith("srcset") else [value]
                remote = [url for url in urls if is_remote(url)]
                if remote:
                    problems.append(f"{name}: <{tag} {attr}=\"{value}\">")
                elif tag == "link" and attr == "href" and "stylesheet" in rels:
                    stylesheets.add(local_file(path, value))
        problems += [f"{name}: CSS in the page loads {m.group(0)}..." for css in parsed.styles
                     for m in REMOTE_IN_CSS.finditer(css)]
    for css in sorted(stylesheets):
        assert css.is_file(), f"a page links the stylesheet {css.relative_to(book)}, not in the build"
        problems += [f"{css.relative_to(book)} loads {m.group(0)}..."
                     for m in REMOTE_IN_CSS.finditer(css.read_text(encoding="utf-8", errors="replace"))]
    assert not problems, ("pages load resources from the internet, so they break offline; serve them from "
                          "the build instead (see sphinx-mathjax-offline in _config.yml):\n"
                          + "\n".join(problems))


def test_math_is_typeset_by_mathjax_from_the_build(book):
    """Pages with math load MathJax from _static/ (sphinx-mathjax-offline), and the file is there."""
    pages_with_math = []
    for path in rendered_pages(book):
        name = path.relative_to(book)
        parsed = parse(path.read_text(encoding="utf-8"))
        has_math = any("math" in attrs.get("class", "").split() for _, attrs, _ in parsed.tags)
        scripts = [attrs["src"] for tag, attrs, _ in parsed.tags
                   if tag == "script" and "mathjax" in attrs.get("src", "").lower()]
        for src in scripts:
            assert not is_remote(src), f"{name} loads MathJax from the internet: {src}"
            script = local_file(path, src)
            assert script.is_file(), f"{name} loads MathJax from {src}, which is not in the build"
            if "chtml" in script.name:  # the CommonHTML output draws with its own web fonts
                fonts = script.parent / "output" / "chtml" / "fonts" / "woff-v2"
                assert any(fonts.glob("*.woff")), f"MathJax's fonts are not in {fonts.relative_to(book)}"
        if has_math:
            assert scripts, f"{name} has math but loads no MathJax, so readers see raw LaTeX"
            pages_with_math.append(name)
    assert pages_with_math, "no page has math, yet chapter 1 writes formulas with $...$: is dollarmath on?"


def image_cells(stem: str) -> list[tuple[int, str]]:
    """(index, alt text from `mystnb: image: alt:` metadata or "") of each shown cell with an image output."""
    found = []
    for index, cell in enumerate(notebook_json(stem)["cells"]):
        if cell["cell_type"] != "code" or cell_tags(cell) & {"remove-cell", "remove-output"}:
            continue
        if any(k.startswith("image/") for out in cell.get("outputs", []) for k in out.get("data", {})):
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
            found.append((index, " ".join(str(alt).split())))
    return found


def test_output_images_have_alt_text(book):
    """Each figure a cell draws reaches the page with the alt text of its cell's metadata.

    myst-nb takes it from the cell metadata {"mystnb": {"image": {"alt": "..."}}}; without it the
    <img> gets the image's file name as alt, which a screen reader reads out as a hash.
    """
    problems = []
    for stem in existing_chapters():
        parsed = parse(chapter(book, stem))
        images = [attrs for tag, attrs, output in parsed.tags if tag == "img" and output is not None]
        shown = {" ".join(attrs.get("alt", "").split()) for attrs in images}
        for attrs in images:
            alt, src = attrs.get("alt", "").strip(), attrs.get("src", "")
            if not alt or alt == src:
                problems.append(f"{stem}: output image {Path(src).name} has no alt text")
        cells = image_cells(stem)
        for index, alt in cells:
            if alt and alt not in shown:
                problems.append(f"{stem}: cell {index}'s mystnb.image.alt is not the alt of any output image")
        without = [index for index, alt in cells if not alt]
        if without:
            problems.append(f"{stem}: cells (0-based) drawing a figure with no alt in their metadata: {without}")
    assert not problems, ("give each cell that draws a figure a description in its metadata, "
                          '{"mystnb": {"image": {"alt": "..."}}}:\n' + "\n".join(problems))


def notebook_title(stem: str) -> str | None:
    """The first level-1 heading of a notebook: the title the sidebar and the browser tab show."""
    for cell in notebook_json(stem)["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            match = re.search(r"^# +(.+?)\s*#*\s*$", source, re.M)
            if match:
                return match.group(1)
    return None


def test_introduction_lists_each_chapter_under_its_own_title():
    """book/intro.md lists the chapters in order, each by the title its notebook gives itself."""
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    listed = re.findall(r"^(\d+)\. \[([^\]]+)\]\(\.\./notebooks/([\w.-]+)\.ipynb\)", intro, re.M)
    stems = [stem for _, _, stem in listed]
    assert stems == CHAPTERS, (f"book/intro.md lists the chapters {stems}; expected {CHAPTERS}, each as "
                               f"'N. [Title](../notebooks/STEM.ipynb): ...'")
    for number, title, stem in listed:
        assert int(number) == CHAPTERS.index(stem) + 1, f"book/intro.md numbers {stem} as chapter {number}"
        if not (ROOT / "notebooks" / f"{stem}.ipynb").exists():
            continue
        heading = notebook_title(stem)
        assert heading is not None, f"notebooks/{stem}.ipynb has no '# Title' heading"
        assert title == heading, (f"book/intro.md calls chapter {number} '{title}', but "
                                  f"notebooks/{stem}.ipynb is titled '{heading}' (its '# ' heading, "
                                  f"which the sidebar shows): use the same title in both")


def exercise_count(stem: str) -> int:
    """How many numbered exercises the chapter's '## Exercises' list has."""
    for cell in notebook_json(stem)["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown" and "## Exercises" in source:
            return len(re.findall(r"^\d+\. ", source.split("## Exercises", 1)[1], re.M))
    return 0


@pytest.mark.parametrize("stem", list(SOLUTIONS))
def test_every_exercise_links_to_its_solution_and_back(book, stem):
    """Each exercise links to its solution's anchor on the solutions page, which links back."""
    chapter_html = chapter(book, stem)
    solutions = SOLUTIONS[stem]
    n = exercise_count(stem)
    expected = 3 if stem == "08_speedrun" else 5  # the speedrun chapter has three
    assert n >= expected, f"{stem}: expected {expected} exercises, found {n}"
    solutions_html = page(book, f"notebooks/{solutions}")
    for i in range(1, n + 1):
        assert f'href="{solutions}.html#exercise-{i}"' in chapter_html, \
            f"{stem}: exercise {i} does not link to {solutions}.html#exercise-{i}"
        assert f'id="exercise-{i}"' in solutions_html, f"{solutions}: no heading 'Exercise {i}'"
    assert 'id="exercises"' in chapter_html, f"{stem}: no 'Exercises' heading to link back to"
    back_links = solutions_html.count(f'href="{stem}.html#exercises"')
    assert back_links >= n, f"{solutions}: {back_links} links back to the exercises of {stem}, expected {n}"
    # The answers are on their own page: the chapter itself shows none of the solution pages' text.
    # (The links to the previous and next pages, below the article, may name a solutions page.)
    exercises = chapter_html.split('id="exercises"')[1].split('class="prev-next-area"')[0]
    assert "Solutions:" not in text_of(exercises)


# --- links: every link inside the book leads somewhere; every page has its Chinese twin -----

def broken_links(book: Path) -> list[str]:
    """Links between the book's pages whose file or anchor (#id) does not exist."""
    broken, ids = [], {}
    for path in rendered_pages(book):
        for tag, url in re.findall(r'(<a [^>]*href="([^"]+)")', path.read_text(encoding="utf-8")):
            url = html.unescape(url)
            # The other edition is published beside this one, not built with it.
            if "language-switch" in tag or is_remote(url) or url.startswith(("mailto:", "javascript:")):
                continue
            parts = urlsplit(url)
            target = local_file(path, url) if parts.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(book)}: {url} (no such page)")
            elif parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(re.findall(r'\bid="([^"]+)"', target.read_text(encoding="utf-8")))
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{path.relative_to(book)}: {url} (no anchor #{parts.fragment})")
    return broken


def test_links_between_pages_lead_somewhere(book):
    broken = broken_links(book)
    assert not broken, "links to missing pages or anchors:\n" + "\n".join(broken)


def language_link(page_html: str) -> str | None:
    found = re.search(r'<a class="btn btn-sm language-switch" href="([^"]+)"', page_html)
    return found and html.unescape(found.group(1))


def source_of(root: Path, pagename: str) -> Path | None:
    for suffix in (".ipynb", ".md"):
        if (root / f"{pagename}{suffix}").exists():
            return root / f"{pagename}{suffix}"
    return None


def test_every_page_links_to_the_same_page_in_chinese(book):
    """The button in each page's header leads to zh/<the same page>, a page the Chinese edition
    has (book/language_links.py; the editions are published at / and /zh/)."""
    for path in rendered_pages(book):
        pagename = path.relative_to(book).with_suffix("").as_posix()
        if pagename in ("genindex", "search", "index"):
            continue
        expected = "../" * pagename.count("/") + f"zh/{pagename}.html"
        assert language_link(path.read_text(encoding="utf-8")) == expected, \
            f"{pagename}: no link to {expected} in its header"
        assert source_of(ROOT / "zh", pagename), f"{pagename}: the Chinese edition has no such page"
