"""Draw the performance charts of docs/performance.md from a benchmark run's JSON.

Usage:
    .venv/bin/python bench/charts.py [RESULTS_JSON] [OUT_DIR]
    (default: bench/results/latest.json -> docs/charts/)

The docs build calls :func:`draw` itself, so the charts always show the figures
of ``latest.json``. Every chart compares implementations measured in the same
run; a row whose status is not ``ok`` is drawn as a gap labelled with its status.
Needs matplotlib (the ``bench`` and ``docs`` extras), never the library itself.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OURS = "#c0392b"
ANCHOR = "#7f8c8d"
NODE = "#2e86c1"
CHART_FILES = ("streams.svg", "pipeline.svg", "http.svg", "upload.svg", "client.svg")


def _value(row: dict[str, Any] | None, key: str) -> float | None:
    if not isinstance(row, dict) or row.get("status", "ok") != "ok":
        return None
    value = row.get(key)
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _status(row: dict[str, Any] | None) -> str:
    return "not run" if not isinstance(row, dict) else str(row.get("status", "n/a"))


def _color(name: str) -> str:
    return OURS if name.startswith("ours") else NODE if name.startswith("node") else ANCHOR


def _rate(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e3:
        return f"{v / 1e3:.1f}k"
    return f"{v:.0f}"


def _grouped(
    ax: Any,
    groups: Sequence[str],
    series: Sequence[tuple[str, str]],
    values: dict[tuple[str, str], float | None],
    statuses: dict[tuple[str, str], str],
    label: Any,
    log: bool = False,
) -> None:
    """Horizontal bars: one block per group, one bar per series, labelled at the bar's end."""
    height = 0.8 / (len(series) + 1)  # one slot per block for its heading
    ticks, names = [], []
    for g, group in enumerate(groups):
        if group:
            ax.text(0.005, g - height * 0.3, group, transform=ax.get_yaxis_transform(),
                    ha="left", va="center", fontsize=8, fontweight="bold")  # fmt: skip
        for s, (key, title) in enumerate(series):
            y = g + (s + 0.5) * height
            ticks.append(y)
            names.append(title)
            v = values.get((group, key))
            if v is None:
                ax.text(0.01, y, f"  {statuses.get((group, key), 'n/a')}", va="center",
                        transform=ax.get_yaxis_transform(), fontsize=8, color="#555555")  # fmt: skip
                continue
            ax.barh(y, v, height=height * 0.9, color=_color(key))
            ax.text(v, y, f" {label(v)}", va="center", fontsize=8)
    ax.set_yticks(ticks, names, fontsize=8)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.18)


KINDS = {"64k": "64 KiB chunks", "1k": "1 KiB chunks", "obj": "object mode"}


def _stream_chart(
    plt: Any, results: dict[str, Any], section: str, series: list[tuple[str, str]], title: str
) -> Any:
    rows = results.get(section) or {}
    groups = [k for k in KINDS if k in rows]
    values: dict[tuple[str, str], float | None] = {}
    statuses: dict[tuple[str, str], str] = {}
    for g in groups:
        hop = _value(rows[g].get("channel_hop"), "chunks_per_s")
        for key, _ in series:
            v = _value(rows[g].get(key), "chunks_per_s")
            values[(g, key)] = v / hop if v is not None and hop else None
            statuses[(g, key)] = _status(rows[g].get(key)) if v is None else "no channel-hop anchor"
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(groups) * (len(series) + 1) + 1.4))
    _grouped(ax, [KINDS[g] for g in groups], series,
             {(KINDS[g], k): v for (g, k), v in values.items()},
             {(KINDS[g], k): s for (g, k), s in statuses.items()}, lambda v: f"{v:.2f}x", log=True)  # fmt: skip
    ax.axvline(1.0, color="#333333", linewidth=0.8, linestyle="--")
    ax.set_xlabel(
        "chunks/s relative to one Trio memory-channel hop (same run, log scale; > 1 is faster)"
    )
    ax.set_title(title, fontsize=10)
    return fig


def _http_chart(plt: Any, results: dict[str, Any]) -> Any:
    rows = results.get("http") or {}
    groups = [k for k in ("fixed", "chunked") if k in rows]
    series = [("node", "Node"), ("h11_bare", "bare h11 loop"), ("h11_bare_coalesced", "bare h11, coalesced"),
              ("hypercorn", "hypercorn (trio)"), ("ours", "ours")]  # fmt: skip
    values = {(g, k): _value(rows[g].get(k), "req_per_s") for g in groups for k, _ in series}
    statuses = {(g, k): _status(rows[g].get(k)) for g in groups for k, _ in series}
    for g in groups:  # /fixed has no coalesced variant: leave it out rather than show a gap
        if "h11_bare_coalesced" not in rows[g]:
            statuses[(g, "h11_bare_coalesced")] = "not applicable"
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(groups) * (len(series) + 1) + 1.4))
    _grouped(ax, [f"/{g}" for g in groups], series,
             {(f"/{g}", k): v for (g, k), v in values.items()},
             {(f"/{g}", k): s for (g, k), s in statuses.items()}, _rate)  # fmt: skip
    ax.set_xlabel("requests/s, keep-alive GET, wrk -t1 -c32 (same run; higher is better)")
    ax.set_title("HTTP server", fontsize=10)
    return fig


def _upload_chart(plt: Any, results: dict[str, Any]) -> Any:
    rows = results.get("upload") or {}
    names = [("node", "Node"), ("h11_bare", "bare h11 loop"), ("ours", "ours")]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 2.2))
    for ax, key, xlabel, label in (
        (left, "mb_per_s", "MB/s (higher is better)", lambda v: f"{v:.0f}"),
        (right, "peak_rss_mib", "peak RSS, MiB (lower is better)", lambda v: f"{v:.0f}"),
    ):
        _grouped(ax, [""], names, {("", k): _value(rows.get(k), key) for k, _ in names},
                 {("", k): _status(rows.get(k)) for k, _ in names}, label)  # fmt: skip
        ax.set_xlabel(xlabel, fontsize=8)
    fig.suptitle("256 MiB upload (curl), same run", fontsize=10)
    return fig


def _client_chart(plt: Any, results: dict[str, Any]) -> Any:
    clients = (results.get("client") or {}).get("clients") or {}
    names = [
        ("node", "Node (keep-alive agent)"),
        ("httpx", "httpx AsyncClient on Trio"),
        ("ours", "ours"),
    ]
    fig, ax = plt.subplots(figsize=(8, 1.8))
    _grouped(ax, [""], names, {("", k): _value(clients.get(k), "rps") for k, _ in names},
             {("", k): _status(clients.get(k)) for k, _ in names}, _rate)  # fmt: skip
    ax.set_xlabel("sequential keep-alive GETs/s against Node's server (same run; higher is better)")
    ax.set_title("HTTP client", fontsize=10)
    return fig


def draw(results_path: Path, out_dir: Path) -> list[Path]:
    """Draw every chart of ``results_path`` into ``out_dir`` as SVG; return the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Same input, same bytes: no timestamp, fixed element ids.
    plt.rcParams["svg.hashsalt"] = "trio_nodestreams"
    plt.rcParams["font.size"] = 9
    results = json.loads(results_path.read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "streams.svg": _stream_chart(
            plt, results, "streams",
            [("node_pipeline", "Node stream.pipeline"), ("channel_chain3", "Trio 3-stage channel chain"),
             ("ours_pipe", "ours pipe()"), ("ours_pipeline", "ours pipeline()")],
            "source -> Transform -> sink",
        ),
        "pipeline.svg": _stream_chart(
            plt, results, "pipeline",
            [("node_pipeline", "Node stream.pipeline"), ("ours_pipeline", "ours pipeline()"),
             ("ours_agen", "ours, async-generator stages")],
            "source -> two Transforms -> sink",
        ),
        "http.svg": _http_chart(plt, results),
        "upload.svg": _upload_chart(plt, results),
        "client.svg": _client_chart(plt, results),
    }  # fmt: skip
    written = []
    for name, fig in figures.items():
        path = out_dir / name
        fig.tight_layout()
        fig.savefig(path, format="svg", metadata={"Date": None})
        plt.close(fig)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else ROOT / "bench" / "results" / "latest.json"
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "charts"
    for path in draw(src, out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
