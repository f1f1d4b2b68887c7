"""The Colab setup cell: every notebook carries the current one, and it installs only inside Colab.

The cell is written into the notebooks by book/colab_cell.py from _config.yml's repository.url.
Here it is run in a real Jupyter kernel with the address swapped for this local checkout, so the
install needs no network: pip clones the committed state of the repository and builds it offline.
"""
import importlib.util
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("colab_cell", ROOT / "book" / "colab_cell.py")
colab_cell = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(colab_cell)

FAKE_COLAB = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'


def test_config_names_a_repository():
    url = colab_cell.repository_url()
    assert url.startswith("https://github.com/"), url
    assert url in colab_cell.setup_cell_source(url)


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks in notebooks/ yet")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_starts_with_current_setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    i = colab_cell.first_code_cell(nb)
    assert i is not None, f"{path.name} has no code cell"
    cell = nb.cells[i]
    assert cell.source == colab_cell.setup_cell_source(colab_cell.repository_url()), (
        f"The first code cell of {path.name} is not the Colab setup cell for the address in _config.yml. "
        "Run: python book/colab_cell.py")
    assert set(colab_cell.TAGS) <= set(cell.metadata.get("tags", [])), f"{path.name}: setup cell lacks its tags"


def test_stamping_twice_changes_nothing(tmp_path):
    path = tmp_path / "chapter.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A chapter"),
                                         nbformat.v4.new_code_cell("print(1)")])
    nbformat.write(nb, path)
    url = "https://github.com/example/book"
    assert colab_cell.stamp(path, url) is True
    text = path.read_text()
    assert colab_cell.stamp(path, url) is False
    assert path.read_text() == text
    cells = nbformat.read(path, as_version=4).cells
    assert [c.cell_type for c in cells] == ["markdown", "code", "code"]
    assert cells[1].source == colab_cell.setup_cell_source(url) and cells[2].source == "print(1)"
    # A new address replaces the old cell instead of adding a second one.
    assert colab_cell.stamp(path, "https://github.com/example/moved") is True
    cells = nbformat.read(path, as_version=4).cells
    assert len(cells) == 3 and "example/moved" in cells[1].source


@pytest.fixture
def pip_sandbox(tmp_path, monkeypatch):
    """Environment for the kernel: pip installs only into a throw-away folder, offline, no dependencies."""
    target = tmp_path / "site"
    target.mkdir()
    workdir = tmp_path / "work"  # the kernel's cwd: not the checkout, so its lenet_helpers is not importable
    workdir.mkdir()
    monkeypatch.setenv("PIP_TARGET", str(target))
    monkeypatch.setenv("PIP_NO_DEPS", "1")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_NO_BUILD_ISOLATION", "0")  # pip reads "0" here as --no-build-isolation
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    # The kernel spec runs "python": make that the interpreter running these tests.
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return target, workdir


def run_cells(sources: list[str], workdir: Path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return nb.cells


def local_setup_cell() -> str:
    """The canonical cell, with the address swapped for this checkout."""
    return colab_cell.setup_cell_source(ROOT.as_uri())


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="installing from git+file:// needs git and a git checkout of this repository")
def test_setup_cell_installs_package_in_colab(pip_sandbox):
    target, workdir = pip_sandbox
    check = (f"import sys\nsys.path.insert(0, {str(target)!r})\n"
             "import lenet_helpers\nprint(lenet_helpers.__file__)\n"
             "print(lenet_helpers.count_parameters(lenet_helpers.lenet()))")
    cells = run_cells([FAKE_COLAB, local_setup_cell(), check], workdir)
    assert cells[1].outputs == [], "the setup cell should install quietly"
    assert (target / "lenet_helpers" / "__init__.py").is_file()
    printed = "".join(o.get("text", "") for o in cells[2].outputs).split()
    assert Path(printed[0]).is_relative_to(target), f"imported {printed[0]}, not the copy the cell installed"
    assert printed[1] == "61706"


def test_setup_cell_does_nothing_outside_colab(pip_sandbox):
    target, workdir = pip_sandbox
    cells = run_cells([local_setup_cell(), "import sys\nprint('google.colab' in sys.modules)"], workdir)
    assert cells[0].outputs == []
    assert list(target.iterdir()) == [], "the setup cell installed something outside Colab"
    assert cells[1].outputs[0]["text"].strip() == "False"
