"""The stored notebooks read well wherever they are opened: the book, GitHub, Colab, Jupyter.

Quick checks of each notebooks/*.ipynb file as JSON; nothing is executed. For each notebook:

- code has lines of at most 79 columns, in every cell: cells hidden in the book (remove-cell,
  remove-input, the Colab setup cell) are shown in Jupyter and Colab; in the Chinese notebooks
  (zh/notebooks) a CJK character of a translated comment counts two columns;
- printed output (streams and text/plain) has lines of at most 100 columns, so that it does not
  wrap in Jupyter or Colab nor scroll in the book;
- the code blocks of the book's pages (book/*.md, zh/book/*.md) have lines of at most 79 columns;
- no stored output shows a path of the machine that ran it (the checkout, a home or temporary
  folder, the virtual environment) or a profiler's log line;
- every PNG figure has a high-DPI form: an SVG beside it, or the display size of IPython's
  "retina" format (half the pixel width), so it is sharp on high-DPI screens;
- every cell that draws a figure gives it alt text, in the cell metadata that myst-nb reads:
  {"mystnb": {"image": {"alt": "..."}}}.

Cells are numbered from 0, in the order of the notebook's "cells" list (Jupyter shows no numbers;
`jq '.cells[N]' notebooks/NAME.ipynb` prints cell N).
"""
import base64
import json
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Generated from the English notebooks by book/translate.py, with Chinese comments in the code.
ZH_NOTEBOOKS = sorted((ROOT / "zh" / "notebooks").glob("*.ipynb"))
PAGES = sorted((ROOT / "book").glob("*.md")) + sorted((ROOT / "zh" / "book").glob("*.md"))

MAX_COLUMNS = 79
MAX_OUTPUT_COLUMNS = 100
# Tags that keep a cell's outputs out of the book.
HIDDEN_OUTPUT_TAGS = {"remove-cell", "remove-output"}


def _machine_paths() -> dict[str, re.Pattern]:
    """Text that only appears in an output when it shows where things are on one machine."""
    paths = {text: re.compile(re.escape(text))
             for text in ["/work/", "/home/", "/tmp/", "/root/", "/Users/", "/var/folders/",
                          "C:\\Users\\", ".venv", "site-packages", "dist-packages"]}
    # This machine's own folders: the checkout, the folder it sits in, home, the temporary folder
    # (as whole path components: "/ci" must not match "/circle").
    for folder in (ROOT, ROOT.parent, Path.home(), Path(tempfile.gettempdir())):
        if len(folder.parts) > 1:  # not the file system root
            paths.setdefault(str(folder), re.compile(re.escape(str(folder)) + r"(?![\w.-])"))
    return paths


MACHINE_PATHS = _machine_paths()

# Log lines of native code: the profiler's "USDT:2026-11-28 01:21:15 17814:17814
# SyncActivityProfilerHandler.cpp:39] profiler_start", glog's "W1128 01:21:15.123 ... file.cpp:12]",
# and a Python warning printed with the file it came from ("/.../dataloader.py:431: UserWarning: ...").
LOG_LINES = {
    "a profiler log line": re.compile(r"^\s*[A-Z]+:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \d+:\d+ "),
    "a C++ log line": re.compile(r"[\w./\\-]+\.(?:cpp|cc|cu|cuh|h|hpp):\d+\]"),
    "a glog line": re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ "),
    "a warning with its source file": re.compile(r"\.py:\d+: \w*Warning: "),
}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def text(value) -> str:
    """A notebook string field, stored as one string or as a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def code_cells(nb: dict):
    """(index, cell) of each code cell, numbered among all cells from 0."""
    return [(i, cell) for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"]


def columns(line: str) -> int:
    """Width of a line on screen: wide (East Asian) characters take two columns, tabs go to 8."""
    line = line.expandtabs(8)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def output_texts(output: dict) -> list[tuple[str, str]]:
    """(kind, text) of everything an output shows as text."""
    kind = output["output_type"]
    if kind == "stream":
        return [(f"stream {output.get('name', '')}", text(output.get("text", "")))]
    if kind == "error":
        shown = "\n".join([output.get("ename", ""), output.get("evalue", ""),
                           *(text(line) for line in output.get("traceback", []))])
        return [("error", ANSI.sub("", shown))]
    return [(mime, text(value)) for mime, value in output.get("data", {}).items()
            if mime.startswith("text/")]


def png_size(b64: str) -> tuple[int, int] | None:
    """(width, height) in pixels from a base64 PNG's header, or None if it is not a PNG."""
    head = base64.b64decode(b64.replace("\n", "")[:64] + "==", validate=False)[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def number(value) -> float | None:
    """A display size from output metadata: 400, 400.0 or "400px"."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*", str(value))
    return float(match.group(1)) if match else None


def printed_texts(output: dict) -> list[tuple[str, str]]:
    """(kind, text) of what an output prints as plain text: streams and text/plain."""
    return [(kind, shown) for kind, shown in output_texts(output)
            if kind.startswith("stream") or kind == "text/plain"]


# A fence opens and closes a block: ``` or ~~~ (or longer), then an info string (a language, or a
# MyST directive such as {note}).
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>.*?)\s*$")
# MyST directives whose content is code; the others ({note}, {glossary}) hold prose.
CODE_DIRECTIVES = {"{code-block}", "{code}", "{code-cell}", "{sourcecode}"}


def code_block_lines(markdown: str):
    """(line number, line) of each line inside a fenced code block, also one nested in a
    directive's fence."""
    fences = []  # the open fences, innermost last: (fence, whether it holds code)
    for number, line in enumerate(markdown.splitlines(), start=1):
        match = FENCE.match(line)
        closes = bool(match and fences and not match["info"]
                      and match["fence"][0] == fences[-1][0][0]
                      and len(match["fence"]) >= len(fences[-1][0]))
        if closes:
            fences.pop()
        elif fences and fences[-1][1]:
            yield number, line
        elif match:
            info = match["info"].split()
            fences.append((match["fence"], not info or not info[0].startswith("{")
                           or info[0] in CODE_DIRECTIVES))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def fail(path: Path, what: str, problems: list[str], todo: str) -> None:
    if problems:
        pytest.fail(f"{relative(path)}: {what}:\n  " + "\n  ".join(problems) + f"\nWhat to do: {todo}",
                    pytrace=False)


def long_code_lines(path: Path) -> list[str]:
    problems = []
    for index, cell in code_cells(load(path)):
        for number_, line in enumerate(text(cell["source"]).splitlines(), start=1):
            width = columns(line)
            if width > MAX_COLUMNS:
                problems.append(f"cell {index}, line {number_}: {width} columns: {line.strip()[:70]}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_lines_fit_79_columns(path):
    """Hidden cells too: the book leaves them out, but Jupyter and Colab show them."""
    fail(path, f"code lines longer than {MAX_COLUMNS} columns, which the book cuts off or scrolls "
         "and Jupyter wraps", long_code_lines(path),
         f"break each line to at most {MAX_COLUMNS} columns (inside brackets, or with an "
         "intermediate variable), in hidden cells (remove-cell, remove-input) as well.")


@pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=lambda p: p.stem)
def test_chinese_code_lines_fit_79_columns(path):
    """The same code with its comments in Chinese, whose characters take two columns each."""
    fail(path, f"code lines wider than {MAX_COLUMNS} columns (a CJK character counts two)",
         long_code_lines(path),
         f"break the translated comment in zh/locale/notebooks/{path.stem}.po (the cell's "
         "\"<id>.code\" entry; an English line over the limit is fixed in notebooks/), then run "
         "python book/translate.py.")


def output_lines(path, texts):
    """(code cell number, output kind, line) of every stored output line that ``texts`` picks."""
    for index, cell in code_cells(load(path)):
        for output in cell.get("outputs", []):
            for kind, shown in texts(output):
                for line in shown.splitlines():
                    yield index, kind, line


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_printed_output_lines_fit_100_columns(path):
    problems = [f"cell {index} ({kind}): {columns(line)} columns: {line.strip()[:70]}"
                for index, kind, line in output_lines(path, printed_texts)
                if columns(line) > MAX_OUTPUT_COLUMNS]
    fail(path, f"printed lines longer than {MAX_OUTPUT_COLUMNS} columns, which Jupyter and Colab "
         "wrap and the book scrolls", problems,
         f"make the code print at most {MAX_OUTPUT_COLUMNS} columns a line (fewer decimals, a line "
         "break, shorter labels, a wide table in parts), then re-execute the notebook to store the "
         "new output (never edit stored outputs by hand).")


@pytest.mark.parametrize("path", PAGES, ids=relative)
def test_book_code_blocks_fit_79_columns(path):
    problems = [f"line {number_}: {columns(line)} columns: {line.strip()[:70]}"
                for number_, line in code_block_lines(path.read_text(encoding="utf-8"))
                if columns(line) > MAX_COLUMNS]
    english = path.parent.parent == ROOT
    fail(path, f"code block lines longer than {MAX_COLUMNS} columns, which the page scrolls",
         problems,
         f"break each line to at most {MAX_COLUMNS} columns: a shell command with a line "
         "continuation (\\ in bash; a page for Windows users also shows the PowerShell or cmd "
         "form), a comment on a line of its own"
         + ("." if english else f"; edit zh/locale/book/{path.stem}.po, then run "
            "python book/translate.py."))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_show_no_machine_paths(path):
    problems = []
    for index, kind, line in output_lines(path, output_texts):
        found = [p for p, pattern in MACHINE_PATHS.items() if pattern.search(line)]
        found = [repr(p) for p in found[:1]]  # the first is enough to find it
        found += [what for what, r in LOG_LINES.items() if r.search(line)]
        if found:
            problems.append(f"cell {index} ({kind}): {', '.join(found)} in: {line.strip()[:90]}")
    fail(path, "stored outputs show paths or log lines of the machine that ran the notebook", problems,
         "print a path relative to a folder the reader knows (or its name only), silence or catch the "
         "warning or log in the code, then re-execute the notebook and store the clean outputs.")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_png_figures_are_sharp_on_high_dpi_screens(path):
    problems = []
    for index, cell in code_cells(load(path)):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" not in data or "image/svg+xml" in data:
                continue
            size = png_size(text(data["image/png"]))
            if size is None:
                problems.append(f"cell {index}: its image/png output is not a PNG")
                continue
            shown = number(output.get("metadata", {}).get("image/png", {}).get("width", ""))
            if not shown or size[0] / shown < 1.9:
                at = f"at {shown:g} pixels wide" if shown else "at full size"
                problems.append(f"cell {index}: a {size[0]}x{size[1]} PNG shown {at}, so a high-DPI "
                                f"screen enlarges it and it looks blurred")
    fail(path, "PNG figures without a high-DPI form", problems,
         'add  %config InlineBackend.figure_format = "retina"  (or "svg") to the notebook\'s first code '
         "cell, or draw the figure with an SVG beside the PNG, then re-execute the notebook.")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_figures_have_alt_text(path):
    problems = []
    for index, cell in code_cells(load(path)):
        if tags(cell) & HIDDEN_OUTPUT_TAGS:
            continue  # its figures never reach the page
        kinds = sorted({mime for output in cell.get("outputs", []) for mime in output.get("data", {})
                        if mime.startswith("image/")})
        if not kinds:
            continue
        options = cell.get("metadata", {}).get("mystnb", {}).get("image", {})
        alt = options.get("alt") if isinstance(options, dict) else None
        if not isinstance(alt, str) or not alt.strip():
            problems.append(f"cell {index} draws a figure ({', '.join(kinds)}) and has no alt text")
        elif len(alt.split()) < 3:
            problems.append(f"cell {index}: alt text {alt!r} does not describe the figure")
    fail(path, "figures without alt text (screen readers and a page whose image fails to load show "
         "the file name instead)", problems,
         'give each such cell the metadata  "mystnb": {"image": {"alt": "<one sentence: what the '
         'figure shows>"}}  (Jupyter: the cell\'s metadata editor; it needs no re-execution). '
         "The alt text is shared by all images of the cell.")


# Figures a solution's prose quotes from a stored run, its chapter's or its own (nbval does not
# compare those printed figures, so nothing else notices a re-execution that changes them). If the
# notebook is re-executed and its figures change, this names the solution whose prose must change.
QUOTED = {
    # exercise 3 quotes seed 0's accuracies after two and three epochs from its own exercise 1
    "03_solutions": ("03_solutions", ["0.570", "0.700"]),
    "04_solutions": ("04_looking_inside", ["262", "267", "91", "41", "0.648"]),
}


@pytest.mark.parametrize("solutions", list(QUOTED))
def test_solutions_quote_their_chapters_stored_figures(solutions):
    chapter, figures = QUOTED[solutions]
    prose = "".join(text(c["source"]) for c in load(ROOT / "notebooks" / f"{solutions}.ipynb")["cells"]
                    if c["cell_type"] == "markdown")
    printed = "".join(t for _, c in code_cells(load(ROOT / "notebooks" / f"{chapter}.ipynb"))
                      for o in c.get("outputs", []) for _, t in output_texts(o))
    for figure in figures:
        assert re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", prose), \
            f"{solutions} no longer quotes {figure}: update QUOTED in this test"
        assert re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", printed), (
            f"{solutions} quotes {figure} from {chapter}, whose stored outputs no longer show it: "
            f"re-read {chapter}'s outputs and update the solution's prose")
