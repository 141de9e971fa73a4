"""einsum: Einstein summation over explicit subscripts, with a hand-written backward.

The op receives the subscripts already normalised by `gradcraft.einsum` (one string of letters
per operand, ellipses replaced by letters of their own, the output explicit). A size-1 axis
broadcasts against the same letter's size elsewhere, as in NumPy and PyTorch.

Backward. out[o] = sum over the other letters of prod_j A_j[s_j], so for operand i

    dL/dA_i[s_i] = sum over the letters not in s_i of  G[o] * prod_{j != i} A_j[s_j],

another einsum: `G, A_j (j != i) -> s_i`. Three things make s_i not a valid einsum output:
- a letter of s_i that appears nowhere else (summed out in A_i alone): the product does not
  depend on it, so the gradient is constant along it -- computed without it, then broadcast;
- a letter repeated in s_i ('ii->i', 'ii->'): only the diagonal of A_i is read, so the gradient
  is computed over the distinct letters and written onto the diagonal of a zero array (a strided
  view whose stride per letter is the sum of its axes' strides), zero elsewhere;
- a letter where A_i has size 1 and broadcasts: the gradient is summed over that axis.
The gradient of A_i reads every other operand and never A_i itself, which is what it saves.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp


def _optimize(count):
    # a contraction order (and BLAS through tensordot) pays off from two operands on
    return count >= 2


class Einsum(Function):
    def forward(self, *arrays, inputs, output):
        self.subscripts, self.output = inputs, output
        self.shapes = [a.shape for a in arrays]
        needs = self.needs_input_grad
        # operand j is read by the gradient of every other operand
        self.save_for_backward(*(
            a if any(needs[i] for i in range(len(arrays)) if i != j) else None
            for j, a in enumerate(arrays)))
        spec = ",".join(inputs) + "->" + output
        return xp.einsum(spec, *arrays, optimize=_optimize(len(arrays)))

    def backward(self, grad):
        return tuple(self._operand_grad(grad, i) if need else None
                     for i, need in enumerate(self.needs_input_grad))

    def _operand_grad(self, grad, i):
        own, shape = self.subscripts[i], self.shapes[i]
        others = [(s, a) for j, (s, a) in enumerate(zip(self.subscripts, self.saved)) if j != i]
        distinct = "".join(dict.fromkeys(own))  # letters of A_i, first appearance order
        reachable = set(self.output).union(*(s for s, _ in others))
        kept = "".join(c for c in distinct if c in reachable)
        spec = ",".join([self.output] + [s for s, _ in others]) + "->" + kept
        g = xp.einsum(spec, grad, *(a for _, a in others), optimize=_optimize(1 + len(others)))
        g = xp.asarray(g)
        own_size = {c: shape[own.index(c)] for c in distinct}
        # A_i broadcast (size 1) where the others have more: sum those axes
        wide = tuple(k for k, c in enumerate(kept) if own_size[c] == 1 and g.shape[k] != 1)
        if wide:
            g = g.sum(axis=wide, keepdims=True)
        # letters of A_i alone: the gradient is constant along them
        g = g.reshape(tuple(g.shape[kept.index(c)] if c in kept else 1 for c in distinct))
        g = xp.broadcast_to(g, tuple(own_size[c] for c in distinct))
        if len(distinct) == len(own):
            return g
        out = xp.zeros(shape, dtype=g.dtype)
        strides = tuple(sum(out.strides[k] for k, c in enumerate(own) if c == letter)
                        for letter in distinct)
        diagonal = xp.lib.stride_tricks.as_strided(out, g.shape, strides, writeable=True)
        diagonal[...] = g
        return out
