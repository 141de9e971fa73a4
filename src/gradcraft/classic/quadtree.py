"""Barnes-Hut repulsion for a 2-D t-SNE embedding, vectorised level by level.

The quadtree is never built as linked nodes. Points get Morton codes on a 2^DEPTH grid over
the embedding's bounding square and are sorted by them; the cells of level l are then the runs
of equal `code >> 2 (DEPTH - l)` in that order, so each cell's points are contiguous and its
count and centre of mass are one `np.add.reduceat`. A cell's children are the runs of the next
level inside its run.

The traversal processes every (point, cell) pair of a level at once: a pair whose cell is far
enough (width^2 / d^2 < theta^2, scikit-learn's criterion) or is a leaf contributes the cell's
summary (count, centre of mass); the other pairs are replaced by (point, child) pairs for the
next level. A leaf that holds the point itself is skipped (no self-interaction; like
scikit-learn this also skips exact duplicates of the point, which share its deepest leaf). With
theta = 0 every pair is refined down to single-point leaves: the exact sums.
"""

from __future__ import annotations

import numpy as np

__all__ = []

DEPTH = 30  # 2 * 30 bits of Morton code fit an int64; deeper cells are duplicates


def _spread_bits(v: np.ndarray) -> np.ndarray:
    """Insert a zero bit between the bits of 32-bit ints (the Morton 'part 1 by 1')."""
    v = v.astype(np.uint64)
    v = (v | (v << np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    v = (v | (v << np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    v = (v | (v << np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    v = (v | (v << np.uint64(2))) & np.uint64(0x3333333333333333)
    v = (v | (v << np.uint64(1))) & np.uint64(0x5555555555555555)
    return v


class _Level:
    """The non-empty cells of one tree level, in Morton order."""

    def __init__(self, codes: np.ndarray, positions: np.ndarray, shift: int, width: float):
        keys = codes >> np.uint64(shift)
        new = np.empty(len(keys), dtype=bool)
        new[0] = True
        np.not_equal(keys[1:], keys[:-1], out=new[1:])
        self.start = np.flatnonzero(new)  # first (sorted) point of each cell
        self.count = np.diff(np.append(self.start, len(keys)))
        centre = np.add.reduceat(positions, self.start, axis=0) / self.count[:, None]
        self.centre_x, self.centre_y = centre[:, 0].copy(), centre[:, 1].copy()
        self.cell_of_point = np.cumsum(new) - 1
        self.squared_width = width * width
        self.is_leaf = self.count == 1  # the deepest level makes every cell a leaf


def repulsion(y: np.ndarray, theta: float):
    """The repulsive part of the t-SNE gradient (degrees of freedom 1) by Barnes-Hut.

    Returns (force, z): force_i = sum_{j != i} w_ij^2 (y_i - y_j) and z = sum_{i != j} w_ij
    with w_ij = 1 / (1 + ||y_i - y_j||^2), each far cell standing for its points at their centre
    of mass. The gradient's repulsive term is -4 force / z.
    """
    n = len(y)
    low = y.min(axis=0)
    span = float((y.max(axis=0) - low).max())
    if span == 0.0:
        span = 1.0  # all points coincide: every pair is a duplicate, skipped
    grid = np.floor((y - low) / span * (1 << DEPTH)).astype(np.int64)
    np.clip(grid, 0, (1 << DEPTH) - 1, out=grid)
    codes = _spread_bits(grid[:, 0]) | (_spread_bits(grid[:, 1]) << np.uint64(1))
    order = np.argsort(codes, kind="stable")
    codes, positions = codes[order], y[order]

    px, py = positions[:, 0].copy(), positions[:, 1].copy()
    force_x, force_y = np.zeros(n), np.zeros(n)
    z = 0.0
    level = _Level(codes, positions, 2 * DEPTH, span)
    points = np.arange(n)  # pair lists: sorted point index, cell index in `level`
    cells = np.zeros(n, dtype=np.int64)
    theta2 = theta * theta
    for depth in range(DEPTH + 1):
        if depth == DEPTH:
            level.is_leaf[:] = True
        dx = px[points] - level.centre_x[cells]
        dy = py[points] - level.centre_y[cells]
        d2 = dx * dx + dy * dy
        leaf = level.is_leaf[cells]
        # far: width^2 / d2 < theta^2, written without the division (d2 may be 0)
        summarise = d2 > level.squared_width / theta2 if theta2 > 0 else np.zeros_like(leaf)
        summarise |= leaf
        use = np.flatnonzero(summarise)
        if depth == DEPTH:  # duplicates share a deepest leaf: drop the point's own leaf
            own = use[level.cell_of_point[points[use]] == cells[use]]
            keep = np.ones(len(cells), dtype=bool)
            keep[own] = False
            use = use[keep[use]]
        d2_use = d2[use]
        count = level.count[cells[use]]
        w = 1.0 / (1.0 + d2_use)
        # Above the deepest level a leaf holds one point, so the point's own leaf is the only
        # summarised pair at distance exactly 0 (its centre is the point, bit for bit; a far
        # cell is never at 0). Its force term is 0 * w; its 1 in z is taken back here.
        z += float(count @ w) - (np.count_nonzero(d2_use == 0.0) if depth < DEPTH else 0)
        weight = count * w * w
        at = points[use]
        force_x += np.bincount(at, weights=weight * dx[use], minlength=n)
        force_y += np.bincount(at, weights=weight * dy[use], minlength=n)
        refine = np.flatnonzero(~summarise)
        if not refine.size:
            break
        points, parents = points[refine], cells[refine]
        child = _Level(codes, positions, 2 * (DEPTH - depth - 1), span / (2 << depth))
        # the children of a cell are the next level's cells starting inside its run
        first_child = np.searchsorted(child.start, level.start)
        n_children = np.diff(np.append(first_child, len(child.start)))
        per_pair = n_children[parents]
        offsets = np.arange(per_pair.sum()) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
        cells = np.repeat(first_child[parents], per_pair) + offsets
        points = np.repeat(points, per_pair)
        level = child
    force = np.empty((n, 2))
    force[order, 0] = force_x
    force[order, 1] = force_y
    return force, z
