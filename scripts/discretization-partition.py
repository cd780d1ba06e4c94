#!/usr/bin/env python3
"""Draws the partition of a 1-D action space over training from a zooming DQN run's checkpoints.

Usage: discretization-partition.py RUN_DIR OUT.svg [TENSOR]
Each checkpoint's state.safetensors holds the tree as TENSOR (default `dqn.cells0.first_child`, head 0 of a zooming
DQN; `cubes.first_child` for cube_pg with split_state=false): the first child of every cube, -1 for a leaf; every
split halves the action interval into the lower then the upper half. One row per
checkpoint: the cells' boundaries over the action range [-1, 1] (the network's units) and the number of cells.
"""
import json, os, struct, sys

def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    return header, data

def tensor(header, data, name):
    info = header[name]
    start, end = info["data_offsets"]
    fmt = {"I64": "q", "F64": "d", "F32": "f", "U64": "Q"}[info["dtype"]]
    count = (end - start) // struct.calcsize(fmt)
    return list(struct.unpack("<" + fmt * count, data[start:end]))

def leaves(first_child):
    intervals, stack = [], [(0, 0.0, 1.0)]
    while stack:
        node, lo, hi = stack.pop()
        f = first_child[node]
        if f < 0:
            intervals.append((lo, hi))
        else:
            mid = (lo + hi) / 2
            stack += [(f, lo, mid), (f + 1, mid, hi)]
    return sorted(intervals)

run, out = sys.argv[1], sys.argv[2]
key = sys.argv[3] if len(sys.argv) > 3 else "dqn.cells0.first_child"
steps = sorted(int(s) for s in os.listdir(os.path.join(run, "checkpoints")) if s.isdigit())
rows = []
for step in steps:
    header, data = read_safetensors(os.path.join(run, "checkpoints", str(step), "state.safetensors"))
    rows.append((step, leaves(tensor(header, data, key))))
width, left, top, row_h = 640, 110, 30, 26
height = top + row_h * len(rows) + 40
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + left + 80}" height="{height}" font-family="sans-serif" font-size="12">',
       f'<text x="{left}" y="18">Action cells over training ({os.path.basename(run.rstrip("/"))}, {key})</text>']
for i, (step, cells) in enumerate(rows):
    y = top + i * row_h
    svg.append(f'<text x="4" y="{y + 15}">step {step}</text>')
    svg.append(f'<rect x="{left}" y="{y + 4}" width="{width}" height="{row_h - 8}" fill="#eef" stroke="#448"/>')
    for lo, _ in cells[1:]:
        x = left + lo * width
        svg.append(f'<line x1="{x:.1f}" y1="{y + 4}" x2="{x:.1f}" y2="{y + row_h - 4}" stroke="#c33"/>')
    svg.append(f'<text x="{left + width + 8}" y="{y + 15}">{len(cells)} cells</text>')
y = top + len(rows) * row_h + 16
svg += [f'<text x="{left - 6}" y="{y}">-1</text>', f'<text x="{left + width / 2 - 4}" y="{y}">0</text>', f'<text x="{left + width - 6}" y="{y}">1</text>', "</svg>"]
tmp = out + ".tmp"
with open(tmp, "w") as f:
    f.write("\n".join(svg) + "\n")
os.replace(tmp, out)
print(f"wrote {out}: {len(rows)} checkpoints, {len(rows[-1][1]) if rows else 0} cells at the end")
