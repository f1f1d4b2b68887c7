"""The Chinese edition (zh/) against the English book: quick tests, no training, no build.

A changed English cell fails test_every_piece_of_prose_has_a_current_translation, naming the
notebook and the cell, until its translation in zh/locale/ is updated (book/translate.py).
"""
import copy
import importlib.util
import json
import re
import shutil
import sys
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
    """Every markdown cell, alt text and page paragraph has a translation of its current English."""
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


@pytest.mark.parametrize("source", translate.notebooks())
def test_chinese_notebooks_share_the_english_code_and_outputs(source):
    """One source of truth for code: the same cells in the same order, every code cell (source,
    outputs, tags) the English one; only markdown and alt texts differ."""
    english = json.loads((ROOT / source).read_text(encoding="utf-8"))
    chinese = json.loads((ROOT / "zh" / source).read_text(encoding="utf-8"))
    assert [(c["cell_type"], c["id"]) for c in chinese["cells"]] == [
        (c["cell_type"], c["id"]) for c in english["cells"]], f"zh/{source}: the cells differ"
    for i, (en, zh) in enumerate(zip(english["cells"], chinese["cells"])):
        if en["cell_type"] != "code":
            continue
        en, zh = copy.deepcopy(en), copy.deepcopy(zh)
        for cell in (en, zh):
            cell["metadata"].get("mystnb", {}).get("image", {}).pop("alt", None)
        assert zh == en, f"zh/{source}, cell {i}: the code cell is not the English one"
    assert chinese["metadata"] == english["metadata"]


# --- the translations keep the markup of the English --------------------------------------

MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
CODE = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
# Heading anchors follow the heading's words, so these two are translated with their headings.
ANCHORS = [(re.compile(r"#exercises$"), "#练习"), (re.compile(r"#exercise-(\d+)$"), r"#练习-\1")]


def features(text: str) -> dict:
    """What a translation must keep: code, math, links, headings, lists and numbers."""
    blocks, prose = translate.split_code(text)
    math = MATH.findall(prose)
    prose_no_math = MATH.sub("", prose)
    code = CODE.findall(prose_no_math)
    plain = CODE.sub("", prose_no_math)
    links = LINK.findall(plain)
    lines = plain.split("\n")
    return {
        "code blocks": sorted(blocks),
        "math": sorted(math),
        "code spans and roles": sorted(code),
        "link targets": sorted(links),
        "headings": [len(m.group(1)) for line in lines if (m := re.match(r"(#+) ", line))],
        "list items": [m.group(1) for line in lines
                       if (m := re.match(r"(\s*(?:[-*]|\d+\.)) ", line))],
        "numbers": Counter(n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?",
                                                                  LINK.sub("", plain))
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
        if key == "numbers":
            lost = en[key] - zh[key]
            if lost:
                problems.append(f"numbers missing in the Chinese: {sorted(lost)}")
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
    so that the Chinese page shows the same formulas and code and links where the English does."""
    po = translate.load_catalog(source)
    problems = []
    for entry in po:
        if entry.obsolete or not entry.msgstr or "fuzzy" in entry.flags:
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
    po = polib.pofile(str(translate.catalog_path(source)))
    for entry in po:
        entry.msgstr = ""
    po.save(str(translate.catalog_path(source)))
    nb = translate.translated_notebook(source)
    english = nbformat.read(sandbox / source, as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in english.cells]
    assert len(translate.stale(source)) == len(translate.notebook_units(english))
