"""Plots: the live training plot (Animator) and image grids."""

import base64
import io
import os

import torch
from matplotlib.figure import Figure


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code, Colab),
    False in a plain script.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Animator:
    """A line plot that grows while a model trains.

    In a notebook it redraws ONE figure in place through a display handle (no
    flicker), so the cell ends with exactly the final figure. In a script it
    shows nothing and prints nothing; call ``save('plot.png')`` to keep the
    figure. The points are kept in ``X`` and ``Y`` (one list per series) and in
    ``series()``.
    """

    def __init__(
        self,
        xlabel: str | None = None,
        ylabel: str | None = None,
        legend: list[str] | None = None,
        xlim=None,
        ylim=None,
        xscale: str = "linear",
        yscale: str = "linear",
        fmts=("-", "m--", "g-.", "r:", "c-", "y--"),
        figsize=(4.5, 3.0),
        title: str | None = None,
        live: bool | None = None,
    ):
        # A bare Figure is not registered with pyplot: no GUI window, and no
        # extra copy shown automatically at the end of a notebook cell.
        self.fig = Figure(figsize=figsize, layout="constrained")
        self.axes = self.fig.add_subplot()
        self.config = dict(
            xlabel=xlabel,
            ylabel=ylabel,
            xlim=xlim,
            ylim=ylim,
            xscale=xscale,
            yscale=yscale,
            title=title,
        )
        self.legend, self.fmts = list(legend or []), fmts
        self.X: list[list[float]] = []
        self.Y: list[list[float]] = []
        self.live = in_notebook() if live is None else live
        self._handle = None

    def add(self, x, y) -> None:
        """Add one point to each series: ``y`` is a value or a list (``None``
        skips that series).
        """
        ys = list(y) if isinstance(y, (list, tuple)) else [y]
        xs = list(x) if isinstance(x, (list, tuple)) else [x] * len(ys)
        if not self.Y:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
        if len(ys) != len(self.Y) or len(xs) != len(ys):
            raise ValueError(
                f"This Animator has {len(self.Y)} series; add() got "
                f"{len(xs)} x and {len(ys)} y values."
            )
        for xs_i, ys_i, a, b in zip(self.X, self.Y, xs, ys):
            if a is not None and b is not None:
                xs_i.append(float(a))
                ys_i.append(float(b))
        if self.live:
            self.show()

    def series(self) -> dict[str, tuple[list[float], list[float]]]:
        """The recorded points, by legend name ("series i" without one)."""
        names = self.legend + [
            f"series {i}" for i in range(len(self.legend), len(self.Y))
        ]
        return {name: (xs, ys) for name, xs, ys in zip(names, self.X, self.Y)}

    def draw(self) -> Figure:
        """Redraw the figure from the recorded points and return it."""
        ax, c = self.axes, self.config
        ax.cla()
        for xs, ys, fmt in zip(
            self.X, self.Y, self.fmts * (len(self.Y) // len(self.fmts) + 1)
        ):
            ax.plot(xs, ys, fmt, markersize=4)
        ax.set_xlabel(c["xlabel"] or "")
        ax.set_ylabel(c["ylabel"] or "")
        ax.set_xscale(c["xscale"])
        ax.set_yscale(c["yscale"])
        if c["xlim"]:
            ax.set_xlim(c["xlim"])
        if c["ylim"]:
            ax.set_ylim(c["ylim"])
        if c["title"]:
            ax.set_title(c["title"])
        if self.legend and self.Y:
            ax.legend(self.legend)
        ax.grid(True)
        return self.fig

    def show(self) -> None:
        """Display the figure in the notebook, replacing the copy shown before.

        It is sent as SVG (sharp at any zoom) and as PNG at twice the
        resolution (for viewers that show no SVG, e.g. an untrusted
        notebook in JupyterLab).
        """
        from IPython.display import display

        fig = self.draw()
        svg, png = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg")
        fig.savefig(png, format="png", dpi=2 * 72)
        width, height = (round(72 * size) for size in fig.get_size_inches())
        bundle = {
            "image/svg+xml": svg.getvalue().decode(),
            "image/png": base64.b64encode(png.getvalue()).decode(),
            "text/plain": f"<Animator: {', '.join(self.legend)}>",
        }
        size = {"image/png": {"width": width, "height": height}}
        if self._handle is None:
            self._handle = display(
                bundle, raw=True, metadata=size, display_id=True
            )
        else:
            self._handle.update(bundle, raw=True, metadata=size)

    def save(self, path: str | os.PathLike, dpi: int = 150) -> None:
        """Write the figure to a file; the format follows the extension (.png,
        .svg, .pdf).
        """
        self.draw().savefig(path, dpi=dpi)


def show_images(
    imgs,
    num_rows: int,
    num_cols: int,
    titles: list[str] | None = None,
    scale: float = 1.5,
):
    """Show a grid of images (tensors ``[H, W]`` or ``[1, H, W]``) with
    optional titles; return the axes.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        num_rows,
        num_cols,
        figsize=(num_cols * scale, num_rows * scale),
        squeeze=False,
        # Leaves room for the titles, so they never cover the row above.
        layout="constrained",
    )
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        img = img.detach().cpu().squeeze() if torch.is_tensor(img) else img
        ax.imshow(img, cmap="gray_r")
        ax.axis("off")
        if titles:
            ax.set_title(titles[i], fontsize=9)
    for ax in axes[len(imgs) :]:
        ax.axis("off")
    return axes
