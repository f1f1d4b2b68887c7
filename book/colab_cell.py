"""Write the Colab setup cell into the notebooks, with the repository address taken from _config.yml.

A notebook opened on its own in Google Colab cannot read _config.yml, so the address has to be
written into the notebook itself. This tool keeps that copy in step with the one place the address
is set (``repository.url`` in _config.yml): it (re)writes the setup cell as the first code cell of
each notebook. Running it again changes nothing.

    python book/colab_cell.py                   # every notebook in notebooks/
    python book/colab_cell.py notebooks/01_lenet_architecture.ipynb
    python book/colab_cell.py --check           # only report; exit 1 if a notebook needs stamping
"""
import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
NOTEBOOKS = ROOT / "notebooks"
CELL_ID = "colab-setup"
# colab-setup marks the cell for this tool and the tests; remove-cell keeps it out of the rendered
# book (the "How to run" page explains Colab instead).
TAGS = ["colab-setup", "remove-cell"]

TEMPLATE = '''\
# Google Colab only: install the helper package of this book,
# lenet_helpers. Elsewhere this does nothing.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    REPOSITORY = "{url}"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet",
         f"git+{{REPOSITORY}}"],
        capture_output=True, text=True,
        env={{**os.environ, "GIT_TERMINAL_PROMPT": "0"}})
    if pip.returncode != 0:
        raise RuntimeError(
            f"Installing lenet_helpers from {{REPOSITORY}} failed:\\n"
            f"{{pip.stderr[-1500:]}}\\n"
            "Check that this address is the book's public repository. If "
            "it says YOUR-GITHUB-USER, this copy of the book was never "
            "published: put the address of the repository you opened the "
            "notebook from into REPOSITORY above and run this cell again.")'''


def repository_url(config: Path = CONFIG) -> str:
    """The repository address set in _config.yml (``repository.url``)."""
    with open(config, encoding="utf-8") as f:
        url = (yaml.safe_load(f).get("repository") or {}).get("url")
    if not url:
        raise SystemExit(f"{config} sets no repository.url, so there is no address to install from.")
    return str(url).rstrip("/")


def setup_cell_source(url: str) -> str:
    """The text of the setup cell for the repository at ``url``."""
    return TEMPLATE.format(url=url)


def first_code_cell(nb) -> int | None:
    """Index of the first code cell of a notebook, or None if it has none."""
    return next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"), None)


def is_stamped(nb, url: str) -> bool:
    """True if the notebook's first code cell is exactly the setup cell for ``url``."""
    i = first_code_cell(nb)
    if i is None:
        return False
    cell = nb.cells[i]
    return cell.source == setup_cell_source(url) and all(t in cell.metadata.get("tags", []) for t in TAGS)


def stamp(path: Path, url: str) -> bool:
    """Make the setup cell for ``url`` the first code cell of the notebook at ``path``.

    An older setup cell (found by its tag) is replaced; otherwise the cell is inserted just before
    the first code cell, after the chapter's title and introduction. Returns True if the file changed.
    """
    nb = nbformat.read(path, as_version=4)
    if is_stamped(nb, url):
        return False
    nb.cells = [c for c in nb.cells if "colab-setup" not in c.metadata.get("tags", [])]
    cell = nbformat.v4.new_code_cell(setup_cell_source(url), metadata={"tags": list(TAGS)})
    if nb.nbformat_minor >= 5:
        cell.id = CELL_ID
    else:  # notebooks older than format 4.5 have no cell ids
        cell.pop("id", None)
    i = first_code_cell(nb)
    nb.cells.insert(len(nb.cells) if i is None else i, cell)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to stamp (default: every notebooks/*.ipynb)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if any notebook is stale")
    args = parser.parse_args(argv)

    url = repository_url()
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    stale = []
    for path in paths:
        if args.check:
            ok = is_stamped(nbformat.read(path, as_version=4), url)
            print(f"{'up to date' if ok else 'STALE     '}  {path}")
            stale += [] if ok else [path]
        else:
            print(f"{'stamped   ' if stamp(path, url) else 'up to date'}  {path}")
    if stale:
        print(f"{len(stale)} notebook(s) lack the setup cell for {url}; run: python book/colab_cell.py",
              file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
