"""t-SNE's repulsion by FFT-accelerated interpolation (FIt-SNE: Linderman, Rachh, Hoskins,
Steinerberger, Kluger, "Fast interpolation-based t-SNE", Nature Methods 2019), in 2-D.

The repulsion needs, for every point i, sums over all points j of the kernels
k1(r) = 1 / (1 + r^2) (for Z) and k2(r) = 1 / (1 + r^2)^2 (for the force) times charges
(1, y_j). The embedding's bounding square is cut into boxes, each holding `n_nodes`^2
equispaced interpolation nodes; the nodes of all boxes form one uniform grid. Each point's
charge is spread to the nodes of its box with Lagrange weights, the node potentials are a
discrete convolution of the grid charges with the kernel (Toeplitz: one FFT product on a grid
padded to twice the size), and each point reads its potential back with the same weights.
The cost is O(N n_nodes^2 + G^2 log G) for a G x G grid: linear in N.
"""

from __future__ import annotations

import functools
import math

import numpy as np

__all__ = []


def _smooth_size(n: int) -> int:
    """The smallest integer >= n with no prime factor above 5 (a fast FFT length)."""
    while True:
        m = n
        for f in (2, 3, 5):
            while m % f == 0:
                m //= f
        if m == 1:
            return n
        n += 1


def _lagrange_weights(t: np.ndarray, n_nodes: int) -> np.ndarray:
    """(N, n_nodes) weights of the Lagrange basis at box-relative t in [0, 1], for nodes at
    (m + 1/2) / n_nodes."""
    nodes = (np.arange(n_nodes) + 0.5) / n_nodes
    weights = np.ones((len(t), n_nodes))
    for m in range(n_nodes):
        for other in range(n_nodes):
            if other != m:
                weights[:, m] *= (t - nodes[other]) / (nodes[m] - nodes[other])
    return weights


@functools.lru_cache(maxsize=4)
def _kernel_spectra(grid: int, spacing: float, padded: int):
    """The rFFTs of k1 and k2 sampled at every node offset, laid out circularly on a
    (padded, padded) grid (offsets -grid+1 .. grid-1; padded >= 2 grid - 1 keeps the
    circular convolution free of wrap-around). Cached: once the embedding is wider than
    `min_boxes` boxes the spacing is fixed and only the grid's size changes, now and then.
    The kernels are even in both axes, so their spectra are real."""
    offsets = np.arange(padded)
    offsets = np.where(offsets < padded - grid + 1, offsets, offsets - padded) * spacing
    valid = np.abs(offsets) <= (grid - 1) * spacing + 1e-12 * spacing
    r2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    k1 = 1.0 / (1.0 + r2)
    k1 *= valid[:, None] & valid[None, :]
    return np.fft.rfft2(k1).real.copy(), np.fft.rfft2(k1 * k1).real.copy()


def repulsion_direct(y: np.ndarray):
    """The same sums over all pairs, O(N^2) (one GEMM for the distances)."""
    sq = np.einsum("ij,ij->i", y, y)
    w = sq[:, None] + sq[None, :] - 2.0 * (y @ y.T)
    np.maximum(w, 0.0, out=w)
    w += 1.0
    np.reciprocal(w, out=w)
    np.fill_diagonal(w, 0.0)
    z = float(w.sum())
    w *= w
    return w.sum(axis=1)[:, None] * y - w @ y, z


def repulsion_fft(y: np.ndarray, *, n_nodes: int = 3, box_width: float = 1.0,
                  min_boxes: int = 50, max_boxes: int | None = None, direct_below: int = 1000):
    """The repulsive part of the t-SNE gradient (degrees of freedom 1) by interpolation.

    Returns (force, z) as `quadtree.repulsion`: force_i = sum_{j != i} w_ij^2 (y_i - y_j),
    z = sum_{i != j} w_ij, w_ij = 1 / (1 + ||y_i - y_j||^2). `box_width` is the boxes' side
    in embedding units (FIt-SNE's 1 / intervals_per_integer), `min_boxes` their least number
    per side (FIt-SNE's min_num_intervals), `max_boxes` their most (default
    max(2 min_boxes, 2 sqrt(N))): a few points spread far apart (spans of hundreds) would
    otherwise need a huge grid, though points that far apart are well served by wider boxes.
    Below `direct_below` points the sums are direct (`repulsion_direct`): exact, and cheaper
    than a grid of at least 300 x 300 padded nodes.
    """
    n = len(y)
    if n < direct_below:
        return repulsion_direct(y)
    low = y.min(axis=0)
    span = float((y.max(axis=0) - low).max())
    span = max(span, 1e-12) * (1.0 + 1e-9)  # the largest point stays inside the last box
    if max_boxes is None:
        max_boxes = max(2 * min_boxes, math.ceil(2.0 * math.sqrt(n)))
    wanted = math.ceil(span / box_width)
    if min_boxes < wanted <= max_boxes:  # boxes of exactly box_width: the kernel stays cached
        n_boxes, box = wanted, box_width
    else:
        n_boxes = min_boxes if wanted <= min_boxes else max_boxes
        box = span / n_boxes
    grid = n_boxes * n_nodes
    padded = _smooth_size(2 * grid)
    spacing = box / n_nodes

    # each point's box and its Lagrange weights on the box's nodes, per axis
    scaled = (y - low) / box
    box_index = np.minimum(scaled.astype(np.int64), n_boxes - 1)
    wx = _lagrange_weights(scaled[:, 0] - box_index[:, 0], n_nodes)
    wy = _lagrange_weights(scaled[:, 1] - box_index[:, 1], n_nodes)
    first = box_index * n_nodes
    node_x = first[:, 0, None] + np.arange(n_nodes)  # (N, n_nodes) grid rows
    node_y = first[:, 1, None] + np.arange(n_nodes)
    flat = (node_x[:, :, None] * padded + node_y[:, None, :]).reshape(n, -1)  # (N, p^2)
    weights = (wx[:, :, None] * wy[:, None, :]).reshape(n, -1)

    # spread the charges 1, y_x, y_y to the grid
    charges = np.stack([np.ones(n), y[:, 0], y[:, 1]])  # (3, N)
    spread = np.empty((3, padded * padded))
    for c in range(3):
        spread[c] = np.bincount(flat.ravel(), weights=(weights * charges[c][:, None]).ravel(),
                                minlength=padded * padded)
    spectrum = np.fft.rfft2(spread.reshape(3, padded, padded))
    k1_hat, k2_hat = _kernel_spectra(grid, spacing, padded)
    potential_2 = np.fft.irfft2(spectrum * k2_hat, s=(padded, padded)).reshape(3, -1)
    phi_2 = np.einsum("np,cnp->cn", weights, potential_2[:, flat])  # read back at the points
    # the self terms (w_ii = 1) cancel in the force
    force = y * phi_2[0][:, None] - phi_2[1:].T
    # sum_i phi_1(y_i) = <c, k1 * c> over the grid = sum_k |C_k|^2 K1_k / M (Parseval): no
    # inverse transform. The rFFT holds half the columns: the others mirror them.
    half = np.full(spectrum.shape[-1], 2.0)
    half[0] = 1.0
    if padded % 2 == 0:
        half[-1] = 1.0
    power = spectrum[0].real ** 2 + spectrum[0].imag ** 2
    z = float(np.einsum("ij,ij,j->", power, k1_hat, half)) / (padded * padded)
    # minus the self terms w_ii, as the interpolation sees them (not exactly 1: where Z is
    # small, sparse points, subtracting n would leave the interpolation error of n in Z)
    local = np.arange(n_nodes)
    dx = (local[:, None, None, None] - local[None, None, :, None]) * spacing
    dy = (local[None, :, None, None] - local[None, None, None, :]) * spacing
    box_kernel = (1.0 / (1.0 + dx * dx + dy * dy)).reshape(n_nodes * n_nodes, -1)
    z -= float(np.einsum("np,pq,nq->", weights, box_kernel, weights))
    return force, z
