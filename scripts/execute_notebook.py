"""Execute one notebook headless through the project's tslab kernel with nbclient.

Usage: .venv/bin/python scripts/execute_notebook.py IN.ipynb [--out OUT.ipynb] [--preset tiny]
                                                   [--timeout 1800] [--json]

The preset reaches the notebook as the environment variable SIMCLR_PRESET (papermill has no
TypeScript translator, so notebooks read their parameters from the environment through the
toolkit's `notebookParams()`). The kernel's working directory is the notebook's folder.

Prints a JSON summary: cells, executed, errors (cell index, ename, evalue), plots (number of
plotly outputs), images, seconds. Exits 1 when a cell failed, 0 otherwise.
"""

import argparse
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

PLOTLY_MIME = "application/vnd.plotly.v1+json"
KERNEL = "simclr-tslab"


def summarize(nb):
    plots = images = 0
    errors = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if PLOTLY_MIME in data:
                plots += 1
            if "image/png" in data:
                images += 1
            if out.get("output_type") == "error":
                errors.append({"cell": i, "ename": out.get("ename"), "evalue": out.get("evalue")})
    return plots, images, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("--out")
    ap.add_argument("--preset", default=os.environ.get("SIMCLR_PRESET", "tiny"))
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    ap.add_argument(
        "--lean",
        action="store_true",
        help="drop the text/html fallback (which inlines plotly.js, ~5 MB) from outputs that carry the "
        "plotly MIME bundle, so committed notebooks stay small; JupyterLab renders the MIME bundle",
    )
    args = ap.parse_args()

    path = os.path.abspath(args.notebook)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as e:  # noqa: BLE001 - report any unreadable notebook the same way
        print(json.dumps({"notebook": path, "errors": [{"cell": -1, "ename": type(e).__name__, "evalue": str(e)}]}))
        return 1
    os.environ["SIMCLR_PRESET"] = args.preset
    client = NotebookClient(
        nb,
        timeout=args.timeout,
        kernel_name=KERNEL,
        allow_errors=False,
        resources={"metadata": {"path": os.path.dirname(path)}},
    )
    t0 = time.time()
    failure = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        failure = {"cell": -1, "ename": type(e).__name__, "evalue": str(e)[-2000:]}
    seconds = time.time() - t0
    plots, images, errors = summarize(nb)
    if failure and not errors:
        # The failing cell is the last one that got an execution count.
        ran = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count")]
        failure["cell"] = ran[-1] if ran else 0
        errors.append(failure)
    executed = sum(1 for c in nb.cells if c.cell_type == "code" and c.get("execution_count"))
    if args.lean:
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if PLOTLY_MIME in data and "text/html" in data:
                    del data["text/html"]
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        nbformat.write(nb, args.out)
    summary = {
        "notebook": path,
        "preset": args.preset,
        "cells": sum(1 for c in nb.cells if c.cell_type == "code"),
        "executed": executed,
        "errors": errors,
        "plots": plots,
        "images": images,
        "seconds": round(seconds, 1),
    }
    print(json.dumps(summary))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
