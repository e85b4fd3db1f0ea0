"""What the app's export buttons hand over: a plot as PNG, the shown data as CSV.

Both are made only when a button is clicked (Solara's ``FileDownload`` calls them then), so
they cost nothing while the models step. The PNG is the very SVG the page shows, rasterised
by CairoSVG (the app extra), at three times its size for a slide; the CSV holds the yearly
rows the plots and tables show — the mean over the seeds when several are averaged — one row
per model and year, its columns named as in the output registry (``govsim outputs``). The
national view exports its municipality × year data the same way, and each national line as PNG.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.app.state import RunView
from sim.errors import GovsimError

PNG_SCALE = 3


def svg_png(svg: str, scale: int = PNG_SCALE) -> bytes:
    """The page's SVG of a plot as a PNG `scale` times its drawing size."""
    try:
        import cairosvg
    except ImportError:  # an install without the app extra
        raise GovsimError(
            "exporting a plot as PNG needs CairoSVG: pip install 'govsim[app]'"
        ) from None
    m = re.search(r"viewBox='0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)'", svg)
    if m is None:
        raise GovsimError("not a plot of the app: its SVG has no viewBox")
    w, h = float(m.group(1)), float(m.group(2))
    # the page's SVG is sized by its column (width 100 %, CSS height auto); a file needs its
    # own size — and CairoSVG draws nothing at all under the CSS "height:auto"
    head, rest = svg.split(">", 1)
    head = re.sub(r"\s(width|height|style)='[^']*'", "", head)
    fixed = f"{head} width='{w:g}' height='{h:g}'>{rest}"
    return cairosvg.svg2png(
        bytestring=fixed.encode("utf-8"), output_width=int(w * scale), output_height=int(h * scale)
    )


def views_frame(views: Sequence[RunView]) -> pd.DataFrame:
    """The yearly rows the page shows, one row per model and year (model = A or B; scenario;
    seeds = how many seeds the values are the mean of)."""
    frames = []
    for v in views:
        if not v.rows:
            continue
        df = pd.DataFrame(list(v.rows))
        df.insert(0, "seeds", v.seeds)
        df.insert(0, "scenario", v.scenario)
        df.insert(0, "model", v.label.split(":", 1)[0])
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=["model", "scenario", "seeds", "year"])
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["year"].astype(int)
    return out


def views_csv(views: Sequence[RunView]) -> str:
    buf = io.StringIO()
    views_frame(views).to_csv(buf, index=False)
    return buf.getvalue()


def national_frame(view) -> pd.DataFrame:
    """The national view's data (a ``sim.app.national.NationalView``), one row per
    municipality and year in the tiles' order: municipality, region, year, the model it runs,
    whether it adopted that model at the year's start, and the tiles' outcomes (registry names)."""
    ny, nm = view.model.shape
    out = pd.DataFrame(
        {
            "municipality": np.tile(np.asarray(view.keys, dtype=object), ny),
            "region": np.tile(np.asarray(view.region_of, dtype=object), ny),
            "year": np.repeat(np.asarray(view.years, dtype=int), nm),
            "model": np.asarray(view.models, dtype=object)[view.model.ravel()],
            "adopted_this_year": view.switched.ravel(),
        }
    )
    for col, a in view.values.items():
        out[col] = a.ravel()
    return out


def national_csv(view) -> str:
    buf = io.StringIO()
    national_frame(view).to_csv(buf, index=False)
    return buf.getvalue()
