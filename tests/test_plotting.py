"""The Animator outside a kernel (scripts, CI) and inside a real Jupyter kernel."""
import base64
import struct
import subprocess
import sys
import textwrap

import matplotlib.pyplot as plt
import nbformat
import pytest
from nbclient import NotebookClient

from lenet_helpers import Animator, in_notebook


def test_not_a_notebook_here():
    assert in_notebook() is False


def test_animator_in_a_script_is_silent_and_saves_png(tmp_path, capsys):
    animator = Animator(xlabel="epoch", legend=["loss", "acc"], xlim=[0, 3], ylim=[0, 1], yscale="linear")
    for epoch in range(1, 4):
        animator.add(epoch, [1 / epoch, None if epoch == 1 else 0.3 * epoch])
    assert capsys.readouterr() == ("", "")
    assert plt.get_fignums() == []  # no pyplot figure that could block or print a repr
    assert animator.X == [[1.0, 2.0, 3.0], [2.0, 3.0]]
    assert animator.series()["acc"] == ([2.0, 3.0], [0.6, 0.8999999999999999])
    path = tmp_path / "plot.png"
    animator.save(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_animator_rejects_a_wrong_number_of_values():
    animator = Animator(legend=["a", "b"])
    animator.add(1, [0.1, 0.2])
    with pytest.raises(ValueError, match="has 2 series"):
        animator.add(2, [0.1])


def test_animator_as_a_plain_python_script_does_not_block(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(f"""
        from lenet_helpers import Animator
        a = Animator(legend=['loss'])
        for i in range(5):
            a.add(i, i * 0.1)
        a.save({str(tmp_path / 'out.png')!r})
    """))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "Figure" not in result.stderr
    assert (tmp_path / "out.png").exists()


def test_animator_in_a_kernel_leaves_exactly_one_final_figure():
    code = textwrap.dedent("""
        from lenet_helpers import Animator
        animator = Animator(xlabel='epoch', legend=['loss'])
        for i in range(1, 6):
            animator.add(i, 1.0 / i)
    """)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert len(outputs) == 1
    assert outputs[0].output_type == "display_data"
    svg = outputs[0].data["image/svg+xml"]
    assert svg.count("<path") > 0
    assert "<Figure" not in str(outputs)
    # A PNG too, at twice the displayed size: untrusted JupyterLab, GitHub and others show no SVG.
    png = base64.b64decode(outputs[0].data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    shown = outputs[0].metadata["image/png"]
    assert (width, height) == (2 * shown["width"], 2 * shown["height"])


def test_a_lone_point_is_drawn(tmp_path):
    """A series with one point (the test accuracy after epoch 1) must show: it needs a marker."""
    animator = Animator(legend=["loss", "test acc"], fmts=("-", "g-.o"))
    animator.add(0.5, [2.0, None])
    animator.add(1.0, [1.5, 0.4])
    lines = animator.draw().axes[0].get_lines()
    assert [len(line.get_xdata()) for line in lines] == [2, 1]
    assert lines[1].get_marker() == "o"
