"""Recurrent layers as fused ops: one `Function` runs one layer in one direction over a whole
sequence, with backpropagation through time written by hand (`RecurrentLayer`), and the Elman
RNN (`RNNLayer`, tanh or relu). The LSTM and GRU cells are in `rnn_lstm.py` and `rnn_gru.py`.

Layout. Inputs are time-major: x (T, N, I), initial states (N, H), PyTorch's weights
w_ih (G*H, I), w_hh (G*H, H) and biases (G*H,), G gates stacked in PyTorch's order. The op's
one output is the packed array P (T + S, N, H): P[:T] the outputs of every step, P[T + s] the
final value of state s (h, and c for the LSTM); the layers take views of it.

Why it is fast. The input projections of all time steps are one matrix product
(T*N, I) @ (I, G*H); each step then costs one (N, H) @ (H, G*H) product for the recurrent part
(all gates fused) and a few ufuncs written in place into buffers allocated once per call.
Backward runs the recurrence backwards with one (N, G*H) @ (G*H, H) product per step; the
factors of every gate's derivative that do not depend on the recurrence are computed outside
that loop (for all steps at once, or by the forward loop while a step is in cache), and the
weight gradients are single products over all steps at the end: dW_ih = dG^T X and
dW_hh = dG^T H_prev over the (T*N) rows, dx = dG W_ih.

Sequences of different lengths (`lengths`, PyTorch's packed-sequence semantics): the batch is
sorted by decreasing length once, so at time t the active sequences are the first n_t rows
and every per-step product runs on that prefix. An inactive row keeps its state (a finished
sequence keeps its last one, the reverse direction has not started yet and holds h0), its
output is zero and its padded inputs are never read (they are replaced by zeros, so NaN
padding cannot leak into the weight gradients).

Sigmoid through tanh: sigmoid(a) = (1 + tanh(a/2)) / 2, so the gates of a step take one tanh
over the fused (N, G*H) block after scaling the sigmoid gates' pre-activations by 1/2, and the
1/2 is folded into the weights and the input projection once per call.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp

__all__ = ["RecurrentLayer", "RNNLayer", "Schedule"]


class Schedule:
    """Which rows are active at each time step, for a batch of sequences of `lengths`.

    `order` sorts the batch by decreasing length (None when it already is), `inverse` undoes
    it, `counts[t]` is the number of active (leading) rows at time t in sorted order and
    `valid` (T, N) marks the real steps, in sorted order.
    """

    def __init__(self, lengths, steps: int):
        lengths = xp.asarray(lengths, dtype=xp.int64)
        order = xp.argsort(-lengths, kind="stable")
        if (order == xp.arange(lengths.size)).all():
            self.order = self.inverse = None
        else:
            self.order, self.inverse = order, xp.argsort(order)
            lengths = lengths[order]
        self.valid = xp.arange(steps)[:, None] < lengths[None, :]
        self.counts = [int(n) for n in self.valid.sum(axis=1)]


class RecurrentLayer(Function):
    """One layer, one direction, whole sequence. Subclasses set STATES (1, or 2 for the LSTM)
    and GATES, and write `_steps` (the forward recurrence, filling P) and `_bptt` (the
    backward recurrence, returning the pre-activation gradients).

    apply(x, *states, w_ih, w_hh[, b_ih, b_hh], reverse=False, lengths=None): inputs as in the
    module docstring; `lengths` (N,) ints in [1, T] or None (all T steps real); `reverse` runs
    from each sequence's last real step back to its first.
    """

    STATES = 1
    GATES = 1

    def forward(self, x, *arrays, reverse=False, lengths=None, nonlinearity="tanh"):
        count = self.STATES
        states, (w_ih, w_hh, *biases) = list(arrays[:count]), arrays[count:]
        steps, batch, features = x.shape
        self.nonlinearity = nonlinearity
        self.reverse = int(bool(reverse))
        self.schedule = schedule = None if lengths is None else Schedule(lengths, steps)
        if schedule is not None:
            if schedule.order is not None:
                x = x[:, schedule.order]
                states = [s[schedule.order] for s in states]
            x = xp.where(schedule.valid[..., None], x, x.dtype.type(0))
        self.x2d = x2d = xp.ascontiguousarray(x).reshape(steps * batch, features)
        gx = x2d @ w_ih.T                      # all input projections: one product
        if biases:
            gx += biases[0]
        gx = gx.reshape(steps, batch, -1)
        needs = self.needs_input_grad
        if True in needs:
            self.save_for_backward(*((x,) if needs[count + 1] else ()), w_ih, w_hh)
            self.x_saved = needs[count + 1]
        packed = self._steps(gx, states, w_hh, biases[1] if biases else None)
        if schedule is not None and schedule.inverse is not None:
            packed = packed[:, schedule.inverse]
        return packed

    # -------------------------------------------------------------- helpers for subclasses
    def _times(self, steps: int):
        """Forward processing order of the time steps."""
        return range(steps - 1, -1, -1) if self.reverse else range(steps)

    def _active(self, t: int, batch: int) -> int:
        return batch if self.schedule is None else self.schedule.counts[t]

    def _slots(self, t: int) -> tuple[int, int]:
        """Rows of the state buffer (T + 1, N, H) read and written at time t: forward reads
        t and writes t + 1, reverse reads t + 1 and writes t. So the states that entered the
        steps, in time order, are buffer[r:T + r] and the outputs buffer[1 - r:T + 1 - r]."""
        return t + self.reverse, t + 1 - self.reverse

    def _state_buffer(self, first, steps: int):
        buffer = xp.empty((steps + 1,) + first.shape, dtype=first.dtype)
        buffer[steps * self.reverse] = first
        return buffer

    def _pack(self, hx, *finals_of):
        """P (T + S, N, H): the outputs (zero at padded steps) and each state buffer's final
        row (a finished sequence's state was carried along unchanged, so the final row holds
        every sequence's state at its last real step)."""
        steps = hx.shape[0] - 1
        r = self.reverse
        packed = xp.empty((steps + len(finals_of),) + hx.shape[1:], dtype=hx.dtype)
        if self.schedule is None:
            packed[:steps] = hx[1 - r:steps + 1 - r]
        else:
            xp.multiply(hx[1 - r:steps + 1 - r], self.schedule.valid[..., None], out=packed[:steps])
        for s, buffer in enumerate(finals_of):
            packed[steps + s] = buffer[steps * (1 - r)]
        return packed

    def _new_grad_buffer(self, shape, dtype):
        """Gradients of the pre-activations: rows of inactive steps must read as 0."""
        return (xp.empty if self.schedule is None else xp.zeros)(shape, dtype=dtype)

    # -------------------------------------------------------------- backward
    def backward(self, grad):
        count = self.STATES
        needs = self.needs_input_grad
        saved = self.saved
        w_ih, w_hh = saved[-2], saved[-1]
        schedule = self.schedule
        if schedule is not None and schedule.order is not None:
            grad = grad[:, schedule.order]
        grad = xp.asarray(grad, dtype=w_hh.dtype)
        steps, batch = grad.shape[0] - count, grad.shape[1]
        dgx, dgh, dstates = self._bptt(grad, w_hh)
        dgx = dgx.reshape(steps * batch, -1)
        dgh = dgh.reshape(steps * batch, -1)
        inverse = None if schedule is None else schedule.inverse
        result = [None] * len(needs)
        if needs[0]:
            dx = (dgx @ w_ih).reshape(steps, batch, -1)
            result[0] = dx if inverse is None else dx[:, inverse]
        for s in range(count):
            if needs[1 + s]:
                result[1 + s] = dstates[s] if inverse is None else dstates[s][inverse]
        if needs[count + 1]:
            result[count + 1] = dgx.T @ self.x2d
        if needs[count + 2]:
            r = self.reverse
            result[count + 2] = dgh.T @ self.hx[r:steps + r].reshape(steps * batch, -1)
        if len(needs) > count + 3:
            if needs[count + 3]:
                result[count + 3] = dgx.sum(axis=0)
            if needs[count + 4]:
                result[count + 4] = dgh.sum(axis=0)
        return tuple(result)

    def _steps(self, gx, states, w_hh, b_hh):
        raise NotImplementedError

    def _bptt(self, grad, w_hh):
        """From dL/dP, the gradients of the pre-activations of the input projection (T, N, G*H)
        and of the recurrent product (the same array except for the GRU), and of each initial
        state (N, H)."""
        raise NotImplementedError


class RNNLayer(RecurrentLayer):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act tanh or relu.

    Backward: with a_t the pre-activation, dL/da_t = dh_t * act'(a_t), where act' is read off
    the output: tanh' = 1 - h_t^2, relu' = [h_t > 0]; then dL/dh_{t-1} = dL/da_t @ W_hh (plus
    the output's own gradient at t - 1). act' is computed for all steps before the loop.
    """

    def _steps(self, gx, states, w_hh, b_hh):
        steps, batch, _ = gx.shape
        if b_hh is not None:
            gx += b_hh
        relu = self.nonlinearity == "relu"
        w_t = xp.ascontiguousarray(w_hh.T)   # (H, H): BLAS is faster on a C-ordered right operand
        self.hx = hx = self._state_buffer(states[0], steps)
        for t in self._times(steps):
            n = self._active(t, batch)
            old, new = self._slots(t)
            h = hx[new, :n]
            xp.dot(hx[old, :n], w_t, out=h)
            h += gx[t, :n]
            if relu:
                xp.maximum(h, 0, out=h)
            else:
                xp.tanh(h, out=h)
            if n < batch:
                hx[new, n:] = hx[old, n:]
        return self._pack(hx, hx)

    def _bptt(self, grad, w_hh):
        steps = grad.shape[0] - 1
        r = self.reverse
        outputs = self.hx[1 - r:steps + 1 - r]
        if self.nonlinearity == "relu":
            slope = (outputs > 0).astype(outputs.dtype)
        else:
            slope = xp.multiply(outputs, outputs)
            xp.subtract(1, slope, out=slope)
        da = self._new_grad_buffer(outputs.shape, outputs.dtype)
        dh = grad[steps].copy()
        batch = dh.shape[0]
        for t in reversed(self._times(steps)):
            n = self._active(t, batch)
            dhn = dh[:n]
            dhn += grad[t, :n]
            d = da[t, :n]
            xp.multiply(dhn, slope[t, :n], out=d)
            xp.dot(d, w_hh, out=dhn)
        return da, da, [dh]
