"""The Chinese edition (zh/) against the English book: quick tests, no training, no build.

A changed English cell fails test_every_piece_of_prose_has_a_current_translation, naming the
notebook and the cell, until its translation in zh/locale/ is updated (book/translate.py). Code
cells' comments are translated too, their code never: a test below compares it token by token,
and translate.py rejects a translation that changes it.
"""
import copy
import importlib.util
import io
import json
import re
import shutil
import sys
import tokenize
import unicodedata
from collections import Counter
from pathlib import Path

import nbformat
import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("translate", ROOT / "book" / "translate.py")
translate = importlib.util.module_from_spec(_spec)
sys.modules["translate"] = translate  # dataclasses look their module up there
_spec.loader.exec_module(translate)

SOURCES = ["book"] + translate.sources()
CJK = re.compile(r"[\u4e00-\u9fff]")
FIX = ("Translate it in zh/locale/ (python book/translate.py first updates the catalogs and marks "
       "a changed cell fuzzy, with its old English beside it), then run python book/translate.py "
       "again to write the Chinese edition.")


@pytest.mark.parametrize("source", SOURCES)
def test_every_piece_of_prose_has_a_current_translation(source):
    """Every markdown cell, alt text, code cell with comments and page paragraph has a translation
    of its current English, and every Chinese-only addition of a page follows its paragraph."""
    missing = translate.stale(source)
    assert not missing, "\n".join(missing) + "\n" + FIX


def test_the_chinese_edition_is_generated_from_the_current_sources():
    """zh/ holds exactly what book/translate.py writes from the English book and the catalogs."""
    outdated = []
    for name, text in translate.edition().items():
        path = ROOT / "zh" / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            outdated.append(name)
    extra = {p.name for p in (ROOT / "zh" / "notebooks").glob("*.ipynb")} - {
        Path(s).name for s in translate.notebooks()}
    assert not outdated and not extra, (
        f"zh/ is out of date: {outdated + sorted(extra)}. Run python book/translate.py.")


def without_comments(source: str):
    """Python code as tokens, comments (and the line breaks only they make) left out; code that
    is not Python stays as it is."""
    try:
        return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type not in (tokenize.COMMENT, tokenize.NL)]
    except (SyntaxError, tokenize.TokenError):
        return source


def cell_source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.parametrize("source", translate.notebooks())
def test_chinese_notebooks_share_the_english_code_and_outputs(source):
    """One source of truth for code: the same cells in the same order, every code cell (outputs,
    tags, metadata) the English one, and its code the English code token for token; only
    markdown, alt texts and the comments in the code differ."""
    english = json.loads((ROOT / source).read_text(encoding="utf-8"))
    chinese = json.loads((ROOT / "zh" / source).read_text(encoding="utf-8"))
    assert [(c["cell_type"], c["id"]) for c in chinese["cells"]] == [
        (c["cell_type"], c["id"]) for c in english["cells"]], f"zh/{source}: the cells differ"
    for i, (en, zh) in enumerate(zip(english["cells"], chinese["cells"])):
        if en["cell_type"] != "code":
            continue
        assert without_comments(cell_source(zh)) == without_comments(cell_source(en)), \
            f"zh/{source}, cell {i}: the code is not the English code (only comments may differ)"
        en, zh = copy.deepcopy(en), copy.deepcopy(zh)
        for cell in (en, zh):
            cell["metadata"].get("mystnb", {}).get("image", {}).pop("alt", None)
            cell.pop("source")
        assert zh == en, f"zh/{source}, cell {i}: the code cell's outputs or metadata differ"
    assert chinese["metadata"] == english["metadata"]


def columns(line: str) -> int:
    """Display width: a CJK character takes two columns (tests/test_notebook_hygiene.py)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("source", ["book"] + translate.notebooks())
def test_translated_code_lines_fit_79_columns(source):
    """Chinese comments are twice as wide per character: their lines still fit 79 columns."""
    po = translate.load_catalog(source)
    wide = [f"{entry.comment}, line {n}: {columns(line)} columns"
            for entry in po if entry.msgctxt and entry.msgctxt.endswith(".code") and entry.msgstr
            for n, line in enumerate(entry.msgstr.split("\n"), start=1) if columns(line) > 79]
    assert not wide, (f"{translate.catalog_path(source).relative_to(ROOT)}: code lines wider than "
                      "79 columns (a CJK character counts 2); break the comment:\n" + "\n".join(wide))


# --- the translations keep the markup of the English --------------------------------------

MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
TEXT_IN_MATH = re.compile(r"\\text\{[^{}]*\}")  # words in a formula, which may be translated
CODE = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
# Heading anchors follow the heading's words, so these two are translated with their headings.
ANCHORS = [(re.compile(r"#exercises$"), "#练习"), (re.compile(r"#exercise-(\d+)$"), r"#练习-\1")]


def comparable_code(text: str) -> str:
    """Code that a translation must keep: its comments may be translated, and a command may name
    the Chinese notebooks (zh/notebooks/) where the English names the English ones."""
    text = text.replace("zh/notebooks/", "notebooks/")
    lines = text.split("\n")
    if len(lines) < 2 or not lines[0].lstrip().startswith(("```", "~~~")):
        return text  # a code span
    if lines[0].strip().strip("`~").strip() in ("python", "ipython", "python3"):
        return lines[0] + "\n" + repr(without_comments("\n".join(lines[1:-1])))
    body = [re.sub(r"(^|\s)#.*$", "", line).rstrip() for line in lines[1:-1]]
    return "\n".join([lines[0]] + [line for line in body if line] + [lines[-1]])


def features(text: str) -> dict:
    """What a translation must keep: code, math, links, headings, lists and numbers."""
    blocks, prose = translate.split_code(text)
    math = [TEXT_IN_MATH.sub(r"\\text{}", m) for m in MATH.findall(prose)]
    prose_no_math = MATH.sub("", prose)
    code = CODE.findall(prose_no_math)
    plain = CODE.sub("", prose_no_math)
    links = LINK.findall(plain)
    lines = plain.split("\n")
    return {
        "code blocks": Counter(comparable_code(b) for b in blocks),
        "math": sorted(math),
        "code spans and roles": Counter(comparable_code(c) for c in code),
        "link targets": sorted(links),
        "headings": [len(m.group(1)) for line in lines if (m := re.match(r"(#+) ", line))],
        "list items": [m.group(1) for line in lines
                       if (m := re.match(r"(\s*(?:[-*]|\d+\.)) ", line))],
        # Numbers, not digits inside words ("d2l", "float32", "1990s", which Chinese says otherwise).
        "numbers": Counter(n.replace(",", "") for n in re.findall(
            r"(?<![A-Za-z_\d])\d[\d,]*(?:\.\d+)?(?![A-Za-z_\d])", LINK.sub("", plain))
                           if not re.fullmatch(r"\d+\.", n)),
    }


def english_features(text: str) -> dict:
    found = features(text)
    targets = []
    for target in found["link targets"]:
        for pattern, chinese in ANCHORS:
            target = pattern.sub(chinese, target)
        targets.append(target)
    found["link targets"] = sorted(targets)
    return found


def markup_differences(english: str, chinese: str) -> list[str]:
    en, zh = english_features(english), features(chinese)
    problems = []
    for key in en:
        if key in ("numbers", "code blocks", "code spans and roles"):
            # The Chinese may add some (a gloss, a command for the Chinese edition), not lose any.
            lost = en[key] - zh[key]
            if lost:
                problems.append(f"{key} missing in the Chinese: {sorted(lost)}")
        elif key == "link targets":
            # Anchors to other headings follow the translated heading: compare the files only.
            if [t.split("#")[0] for t in en[key]] != [t.split("#")[0] for t in zh[key]] or \
                    [t for t in en[key] if "练习" in t] != [t for t in zh[key] if "练习" in t]:
                problems.append(f"link targets differ: {en[key]} != {zh[key]}")
        elif en[key] != zh[key]:
            problems.append(f"{key} differ: {en[key]} != {zh[key]}")
    words = re.findall(r"[A-Za-z]{3,}", MATH.sub("", CODE.sub("", translate.split_code(english)[1])))
    if len(words) >= 3 and not CJK.search(chinese):
        problems.append("the translation has no Chinese in it")
    return problems


@pytest.mark.parametrize("source", SOURCES)
def test_translations_keep_the_markup(source):
    """Each translation keeps its English's code, math, links, headings, list items and numbers,
    so that the Chinese page shows the same formulas and code and links where the English does.
    (Code cells' translations are held to their code by translate.code_difference; Chinese-only
    additions translate nothing.)"""
    po = translate.load_catalog(source)
    problems = []
    for entry in po:
        if entry.obsolete or not entry.msgstr or "fuzzy" in entry.flags:
            continue
        if entry.msgctxt == translate.ZH_ONLY or (entry.msgctxt or "").endswith(translate.CODE):
            continue
        for problem in markup_differences(entry.msgid, entry.msgstr):
            first = entry.msgid.strip().split("\n")[0][:50]
            problems.append(f"{entry.comment} ({first!r}): {problem}")
    assert not problems, f"{translate.catalog_path(source).relative_to(ROOT)}:\n" + "\n".join(problems)


def test_markup_check_finds_a_lost_formula_and_a_changed_link():
    english = "The loss is $E = y_D$; see [chapter 3](03_training.ipynb#exercises)."
    assert markup_differences(english, "损失为 $E = y_D$；见[第 3 章](03_training.ipynb#练习)。") == []
    problems = markup_differences(english, "损失为 E；见[第 3 章](03_training.ipynb)。")
    assert any("math" in p for p in problems) and any("link" in p for p in problems)


def test_markup_check_lets_words_in_formulas_and_comments_in_code_be_translated():
    english = ("The time is $t_\\text{saved per epoch} \\cdot n$.\n\n"
               "```bash\njupyter lab notebooks/  # the chapters\n```")
    chinese = ("时间为 $t_\\text{每个迭代周期节省} \\cdot n$。\n\n"
               "```bash\njupyter lab zh/notebooks/  # 各章\n```")
    assert markup_differences(english, chinese) == []
    # ... but not the rest of the formula, nor the command itself
    problems = markup_differences(english, chinese.replace("\\cdot n", "\\cdot m"))
    assert any("math" in p for p in problems)
    problems = markup_differences(english, chinese.replace("jupyter lab", "jupyter notebook"))
    assert any("code blocks" in p for p in problems)


# --- a changed English cell is caught, and updating its translation clears it --------------

@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A copy of the English sources and the catalogs, where translate.py works instead."""
    for folder in ("notebooks", "book"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "zh" / "locale", tmp_path / "zh" / "locale")
    monkeypatch.setattr(translate, "ROOT", tmp_path)
    monkeypatch.setattr(translate, "ZH", tmp_path / "zh")
    monkeypatch.setattr(translate, "LOCALE", tmp_path / "zh" / "locale")
    return tmp_path


def test_a_changed_english_cell_fails_until_its_translation_is_updated(sandbox):
    source = "notebooks/03_training.ipynb"
    assert translate.stale(source) == []
    nb = nbformat.read(sandbox / source, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and i > 3)
    nb.cells[index].source += "\n\nOne more sentence."
    nbformat.write(nb, sandbox / source)

    missing = translate.stale(source)
    assert len(missing) == 1 and f"{source}, cell {index} " in missing[0]
    assert "English changed" in missing[0]

    # The update keeps the old translation, marked fuzzy, with the old English beside it.
    po = translate.update_catalog(source)
    entry = next(e for e in po if e.msgctxt == nb.cells[index].id)
    assert "fuzzy" in entry.flags and entry.previous_msgid and entry.msgstr
    assert translate.stale(source) == missing  # fuzzy is not done

    entry.msgstr += "\n\n再加一句。"
    entry.flags.remove("fuzzy")
    po.save(str(translate.catalog_path(source)))
    assert translate.stale(source) == []
    zh = translate.translated_notebook(source)
    assert zh.cells[index].source.endswith("再加一句。")


def test_a_changed_page_paragraph_keeps_its_old_translation_as_fuzzy(sandbox):
    source = "book/how_to_run.md"
    page = sandbox / source
    blocks = translate.paragraphs(page.read_text(encoding="utf-8"))
    changed = next(b for b in blocks if len(b) > 200)
    page.write_text(page.read_text(encoding="utf-8").replace(changed, changed + " Also this."))
    missing = translate.stale(source)
    assert len(missing) == 1 and missing[0].startswith(f"{source}, paragraph ")
    po = translate.update_catalog(source)
    entry = po.find(changed + " Also this.")
    assert entry is not None and "fuzzy" in entry.flags and entry.previous_msgid == changed


def test_untranslated_text_falls_back_to_the_english(sandbox):
    source = "notebooks/01_lenet_architecture.ipynb"
    for catalog in (source, "book"):  # book.po holds the Colab setup cell's comments
        po = polib.pofile(str(translate.catalog_path(catalog)))
        for entry in po:
            entry.msgstr = ""
        po.save(str(translate.catalog_path(catalog)))
    nb = translate.translated_notebook(source)
    english = nbformat.read(sandbox / source, as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in english.cells]
    assert len(translate.stale(source)) == len(translate.notebook_units(english))


# --- code cells: their comments are translated, their code is not --------------------------

def code_entry(po: polib.POFile) -> polib.POEntry:
    return next(e for e in po if e.msgctxt and e.msgctxt.endswith(".code") and not e.obsolete)


def test_a_code_cell_is_shown_with_its_translated_comments(sandbox):
    source = "notebooks/03_training.ipynb"
    entry = code_entry(translate.load_catalog(source))
    cell_id = entry.msgctxt.removesuffix(".code")
    english = next(c for c in nbformat.read(sandbox / source, as_version=4).cells if c.id == cell_id)
    assert entry.msgid == english.source and CJK.search(entry.msgstr)
    chinese = next(c for c in translate.translated_notebook(source).cells if c.id == cell_id)
    assert chinese.source == entry.msgstr
    assert without_comments(chinese.source) == without_comments(english.source)


def test_a_code_translation_that_changes_the_code_is_rejected(sandbox):
    """Only comments may be translated: a changed number (or a dropped line) is named, with the
    notebook, the cell and the line, and the Chinese notebook keeps the English code."""
    source = "notebooks/03_training.ipynb"
    po = translate.load_catalog(source)
    entry = code_entry(po)
    cell_id = entry.msgctxt.removesuffix(".code")
    lines = entry.msgstr.split("\n")
    changed = next(i for i, line in enumerate(lines) if re.search(r"\d", line.split("#")[0]))
    lines[changed] = re.sub(r"\d", "7", lines[changed], count=1)
    if lines[changed] == entry.msgstr.split("\n")[changed]:  # the digit was a 7 already
        lines[changed] = re.sub(r"\d", "8", lines[changed], count=1)
    entry.msgstr = "\n".join(lines)
    po.save(str(translate.catalog_path(source)))

    problems = translate.stale(source)
    index = next(i for i, c in enumerate(nbformat.read(sandbox / source, as_version=4).cells)
                 if c.id == cell_id)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{source}, cell {index}, comments of its code")
    assert "changes the code, not only the comments" in problems[0]
    assert f"line {changed + 1} of the translation" in problems[0]
    english = next(c for c in nbformat.read(sandbox / source, as_version=4).cells if c.id == cell_id)
    chinese = next(c for c in translate.translated_notebook(source).cells if c.id == cell_id)
    assert chinese.source == english.source

    entry.msgstr = "\n".join(lines[:changed] + lines[changed + 1:])  # a line left out
    po.save(str(translate.catalog_path(source)))
    assert "changes the code" in translate.stale(source)[0]


def test_a_code_change_keeps_the_translated_comments_and_a_comment_change_is_flagged(sandbox):
    """Changing a cell's code, not its comments, needs no translator: the Chinese comments carry
    over to the new code. Changing a comment marks the entry fuzzy, as for prose."""
    source = "notebooks/03_training.ipynb"
    entry = code_entry(translate.load_catalog(source))
    cell_id = entry.msgctxt.removesuffix(".code")
    nb = nbformat.read(sandbox / source, as_version=4)
    cell = next(c for c in nb.cells if c.id == cell_id)
    cell.source = "import math\n" + cell.source  # new code, same comments
    nbformat.write(nb, sandbox / source)
    po = translate.update_catalog(source)
    po.save(str(translate.catalog_path(source)))
    carried = po.find(cell.source, msgctxt=entry.msgctxt)
    assert carried is not None and "fuzzy" not in carried.flags
    assert carried.msgstr == "import math\n" + entry.msgstr
    assert translate.stale(source) == []

    comment = next(t.string for t in tokenize.generate_tokens(io.StringIO(cell.source).readline)
                   if t.type == tokenize.COMMENT)
    cell.source = cell.source.replace(comment, comment + " (changed)", 1)
    nbformat.write(nb, sandbox / source)
    po = translate.update_catalog(source)
    changed = po.find(cell.source, msgctxt=entry.msgctxt)
    assert "fuzzy" in changed.flags and changed.previous_msgid == "import math\n" + entry.msgid


def test_the_setup_cell_keeps_its_translation_when_the_address_changes(sandbox):
    """book/colab_cell.py rewrites the setup cell with the published address: its one entry in
    book.po ("{url}" for the address) still applies, so publishing needs no new translation."""
    spec = importlib.util.spec_from_file_location("colab_cell", ROOT / "book" / "colab_cell.py")
    colab_cell = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(colab_cell)
    source = "notebooks/02_fashion_mnist.ipynb"
    url = "https://github.com/someone/lenet-step-by-step"
    assert colab_cell.stamp(sandbox / source, url)
    assert translate.stale("book") == [] and translate.stale(source) == []
    nb = translate.translated_notebook(source)
    setup = nb.cells[colab_cell.first_code_cell(nb)]
    assert f'REPOSITORY = "{url}"' in setup.source and CJK.search(setup.source.split("\n")[0])
    assert without_comments(setup.source) == without_comments(colab_cell.setup_cell_source(url))


# --- pages: additions for Chinese readers, the glossary in pinyin order ---------------------

def test_a_chinese_only_addition_follows_its_paragraph(sandbox):
    source = "book/intro.md"
    po = translate.load_catalog(source)
    (added,) = translate.additions(po)
    assert added.msgstr and "fuzzy" not in added.flags
    page = translate.translated_page(source)
    anchor = translate.translation(po, translate.Unit(None, added.msgid, "", by_text=True))
    assert anchor + "\n\n" + added.msgstr in page
    assert translate.update_catalog(source).find(added.msgid, msgctxt="zh-only") is not None

    # The paragraph it follows changes: the addition is kept, fuzzy, and named until checked.
    path = sandbox / source
    path.write_text(path.read_text(encoding="utf-8").replace(added.msgid, added.msgid + " More."),
                    encoding="utf-8")
    po = translate.update_catalog(source)
    po.save(str(translate.catalog_path(source)))
    (moved,) = translate.additions(po)
    assert moved.msgid == added.msgid + " More." and "fuzzy" in moved.flags
    assert any("Chinese-only addition" in line for line in translate.stale(source))
    assert added.msgstr not in translate.translated_page(source)


def glossary_terms(text: str) -> list[str]:
    body = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    return [block.split("\n")[0] for block in body.split("\n\n")]


def test_the_chinese_glossary_is_in_pinyin_order_with_the_books_own_terms():
    from pypinyin import lazy_pinyin

    chinese = glossary_terms((ROOT / "zh" / "book" / "glossary.md").read_text(encoding="utf-8"))
    english = glossary_terms((ROOT / "book" / "glossary.md").read_text(encoding="utf-8"))
    keys = [" ".join(lazy_pinyin(term)).lower() for term in chinese]
    assert keys == sorted(keys), f"not in pinyin order: {chinese}"
    assert chinese.index("卷积 (Convolution)") < chinese.index("批量规范化 (Batch normalization)") \
        < chinese.index("通道 (Channel)")
    for term in ("平坦起步", "训练方案", "码字"):
        assert any(t.startswith(term) for t in chinese), f"the glossary has no entry for {term}"
    assert len(chinese) == len(english) + 3


def test_how_to_run_in_chinese_opens_the_chinese_notebooks():
    page = (ROOT / "zh" / "book" / "how_to_run.md").read_text(encoding="utf-8")
    assert "jupyter lab zh/notebooks/" in page and "jupyter lab notebooks/" not in page
    assert "_build/html/zh" in page  # how to try the language button locally
