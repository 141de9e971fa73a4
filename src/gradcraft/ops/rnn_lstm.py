"""The LSTM layer as one fused op (PyTorch's gates and order i, f, g, o):

    i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
    a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh            (the four blocks of a, fused)
    c_t = f * c_{t-1} + i * g          h_t = o * tanh(c_t)

Backward (BPTT). Let dh, dc be dL/dh_t and dL/dc_t arriving from step t + 1 (plus the
output's own gradient added to dh). h_t depends on c_t, so the total gradient of c_t is

    dc~ = dc + dh * o * (1 - tanh(c_t)^2)

and, by the chain rule through each product and the activations' derivatives
(sigmoid' = s (1 - s), tanh' = 1 - tanh^2, both read off the stored activations):

    da_i = dc~ * g * i (1 - i)          da_f = dc~ * c_{t-1} * f (1 - f)
    da_g = dc~ * i * (1 - g^2)          da_o = dh * tanh(c_t) * o (1 - o)
    dc_{t-1} = dc~ * f                  dh_{t-1} = da @ W_hh

Every factor that multiplies dh or dc~ above depends on the forward values only, so it is
computed in the forward loop while the step's values are in cache (`factors`, `carry`, only
when the graph is recorded); a step of the backward loop is then a few ufuncs and one matrix
product.
"""

from __future__ import annotations

from ..backend import xp
from .rnn import RecurrentLayer

__all__ = ["LSTMLayer"]


def _gate_scales(hidden: int, dtype):
    """(scale, shift) per fused column: sigmoid(a) = tanh(a/2)/2 + 1/2 on i, f, o; tanh on g."""
    scale = xp.full(4 * hidden, 0.5, dtype=dtype)
    scale[2 * hidden:3 * hidden] = 1
    shift = xp.where(scale == 1, 0, scale).astype(dtype)
    return scale, shift


class LSTMLayer(RecurrentLayer):
    """apply(x, h0, c0, w_ih, w_hh[, b_ih, b_hh], reverse=, lengths=) -> P (T + 2, N, H):
    outputs, h_n, c_n. See `rnn.RecurrentLayer` for the layout."""

    STATES = 2
    GATES = 4

    def _steps(self, gx, states, w_hh, b_hh):
        steps, batch, width = gx.shape
        hidden = width // 4
        scale, shift = _gate_scales(hidden, gx.dtype)
        if b_hh is not None:
            gx += b_hh
        gx *= scale                       # a/2 for the sigmoid gates, folded in once
        w_t = xp.ascontiguousarray((w_hh * scale[:, None]).T)   # (H, 4H): BLAS is ~2x faster on it
        self.hx = hx = self._state_buffer(states[0], steps)
        cx = self._state_buffer(states[1], steps)
        tanh_c = xp.empty((batch, hidden), dtype=gx.dtype)
        recurrent = xp.empty((batch, width), dtype=gx.dtype)
        product = xp.empty((batch, hidden), dtype=gx.dtype)
        i_, f_, g_ = slice(0, hidden), slice(hidden, 2 * hidden), slice(2 * hidden, 3 * hidden)
        o_ = slice(3 * hidden, width)
        factors = carry = None
        if True in self.needs_input_grad:   # recorded: backward's factors, while the step is in cache
            make = xp.empty if self.schedule is None else xp.zeros
            self.factors = factors = make(gx.shape, dtype=gx.dtype)
            self.carry = carry = make((steps, batch, hidden), dtype=gx.dtype)
        for t in self._times(steps):
            n = self._active(t, batch)
            old, new = self._slots(t)
            a = gx[t, :n]
            xp.dot(hx[old, :n], w_t, out=recurrent[:n])
            a += recurrent[:n]
            xp.tanh(a, out=a)
            a *= scale
            a += shift                     # a now holds the activations i, f, g, o
            c = cx[new, :n]
            xp.multiply(a[:, f_], cx[old, :n], out=c)
            xp.multiply(a[:, i_], a[:, g_], out=product[:n])
            c += product[:n]
            tc = tanh_c[:n]
            xp.tanh(c, out=tc)
            xp.multiply(a[:, o_], tc, out=hx[new, :n])
            if factors is not None:
                self._step_factors(a, cx[old, :n], tc, product[:n], hx[new, :n], factors[t, :n], carry[t, :n],
                                   hidden)
            if n < batch:
                hx[new, n:] = hx[old, n:]
                cx[new, n:] = cx[old, n:]
        self.gates = gx
        return self._pack(hx, hx, cx)

    @staticmethod
    def _step_factors(a, c_old, tc, ig, h, factors, carry, hidden: int) -> None:
        """The factors of one step's backward (rows of `factors`, `carry`), from the step's
        activations a = [i, f, g, o], c_{t-1}, tanh(c_t), i*g and h_t = o*tanh(c_t):
        factors = [g i(1-i), c_{t-1} f(1-f), i (1-g^2), tanh(c_t) o(1-o)] and
        carry = o (1-tanh(c_t)^2), written as i - (i g) g and o - h_t tanh(c_t) to reuse the
        products the step already has."""
        i, g, o = a[:, :hidden], a[:, 2 * hidden:3 * hidden], a[:, 3 * hidden:]
        xp.subtract(1, a, out=factors)
        factors *= a                                            # s (1 - s) on every block
        factors[:, :hidden] *= g
        factors[:, hidden:2 * hidden] *= c_old
        fg = factors[:, 2 * hidden:3 * hidden]
        xp.multiply(ig, g, out=fg)
        xp.subtract(i, fg, out=fg)
        factors[:, 3 * hidden:] *= tc
        xp.multiply(h, tc, out=carry)
        xp.subtract(o, carry, out=carry)

    def _bptt(self, grad, w_hh):
        gates, factors, carry = self.gates, self.factors, self.carry
        steps, batch, width = gates.shape
        hidden = width // 4
        f = gates[..., hidden:2 * hidden]
        da = self._new_grad_buffer(gates.shape, gates.dtype)
        dh, dc = grad[steps].copy(), grad[steps + 1].copy()
        scratch = xp.empty((batch, hidden), dtype=gates.dtype)
        for t in reversed(self._times(steps)):
            n = self._active(t, batch)
            dhn, dcn = dh[:n], dc[:n]
            dhn += grad[t, :n]
            xp.multiply(dhn, carry[t, :n], out=scratch[:n])
            dcn += scratch[:n]                                  # dc~
            d = da[t, :n]
            for k in range(3):                                  # da_i, da_f, da_g
                xp.multiply(dcn, factors[t, :n, k * hidden:(k + 1) * hidden], out=d[:, k * hidden:(k + 1) * hidden])
            xp.multiply(dhn, factors[t, :n, 3 * hidden:], out=d[:, 3 * hidden:])
            dcn *= f[t, :n]                                     # dc_{t-1}
            xp.dot(d, w_hh, out=dhn)                            # dh_{t-1}
        return da, da, [dh, dc]
