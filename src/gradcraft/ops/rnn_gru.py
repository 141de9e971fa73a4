"""The GRU layer as one fused op (PyTorch's gates and order r, z, n):

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)      z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   h' = (1 - z) * n + z * h

Backward (BPTT). With dh = dL/dh' (from step t + 1 plus the output's own gradient) and
m = W_hn h + b_hn (stored in forward):

    dn = dh * (1 - z)          da_n = dn * (1 - n^2)               (n's pre-activation)
    da_z = dh * (h - n) * z (1 - z)
    da_r = da_n * m * r (1 - r)                                     (through r * m)
    dm = da_n * r
    dh_prev = dh * z + [da_r, da_z, dm] @ W_hh

The input projection's gradient is [da_r, da_z, da_n] and the recurrent product's is
[da_r, da_z, dm]: they differ in the n block only (b_hn sits inside r * (...)). The factors
(1 - z)(1 - n^2), (h - n) z (1 - z) and m r (1 - r) depend on forward values only and are
computed for all steps before the loop.
"""

from __future__ import annotations

from ..backend import xp
from .rnn import RecurrentLayer

__all__ = ["GRULayer"]


class GRULayer(RecurrentLayer):
    """apply(x, h0, w_ih, w_hh[, b_ih, b_hh], reverse=, lengths=) -> P (T + 1, N, H): outputs
    and h_n. See `rnn.RecurrentLayer` for the layout."""

    GATES = 3

    def _steps(self, gx, states, w_hh, b_hh):
        steps, batch, width = gx.shape
        hidden = width // 3
        rz = slice(0, 2 * hidden)
        half = gx.dtype.type(0.5)
        if b_hh is not None:
            gx[..., rz] += b_hh[rz]       # b_hr, b_hz add to the pre-activations directly
        gx[..., rz] *= half               # sigmoid(a) = tanh(a/2)/2 + 1/2
        w_scaled = w_hh.copy()
        w_scaled[rz] *= half
        w_t = xp.ascontiguousarray(w_scaled.T)   # (H, 3H): BLAS is faster on a C-ordered right operand
        b_hn = None if b_hh is None else b_hh[2 * hidden:]
        self.hx = hx = self._state_buffer(states[0], steps)
        make = xp.empty if self.schedule is None else xp.zeros
        self.candidate = cand = make((steps, batch, hidden), dtype=gx.dtype)   # n
        self.hidden_part = m = make((steps, batch, hidden), dtype=gx.dtype)    # W_hn h + b_hn
        recurrent = xp.empty((batch, width), dtype=gx.dtype)
        for t in self._times(steps):
            n_ = self._active(t, batch)
            old, new = self._slots(t)
            xp.dot(hx[old, :n_], w_t, out=recurrent[:n_])
            gates = gx[t, :n_, rz]
            gates += recurrent[:n_, rz]
            xp.tanh(gates, out=gates)
            gates *= half
            gates += half                  # r, z
            mt = m[t, :n_]
            if b_hn is None:
                mt[...] = recurrent[:n_, 2 * hidden:]
            else:
                xp.add(recurrent[:n_, 2 * hidden:], b_hn, out=mt)
            nt = cand[t, :n_]
            xp.multiply(gates[:, :hidden], mt, out=nt)
            nt += gx[t, :n_, 2 * hidden:]
            xp.tanh(nt, out=nt)
            h = hx[new, :n_]
            xp.subtract(hx[old, :n_], nt, out=h)
            h *= gates[:, hidden:]
            h += nt                        # n + z (h - n) = (1 - z) n + z h
            if n_ < batch:
                hx[new, n_:] = hx[old, n_:]
        self.gates = gx
        return self._pack(hx, hx)

    def _bptt(self, grad, w_hh):
        gates, cand, m = self.gates, self.candidate, self.hidden_part
        steps, batch, width = gates.shape
        hidden = width // 3
        r_ = self.reverse
        r, z = gates[..., :hidden], gates[..., hidden:2 * hidden]
        to_n = xp.multiply(cand, cand)                  # (1 - z)(1 - n^2): dh -> da_n
        xp.subtract(1, to_n, out=to_n)
        to_n *= 1 - z
        to_z = xp.subtract(self.hx[r_:steps + r_], cand)  # (h - n) z (1 - z): dh -> da_z
        to_z *= z
        to_z *= 1 - z
        to_r = xp.subtract(1, r)                        # m r (1 - r): da_n -> da_r
        to_r *= r
        to_r *= m
        dgh = self._new_grad_buffer(gates.shape, gates.dtype)
        dan = self._new_grad_buffer(cand.shape, cand.dtype)
        dh = grad[steps].copy()
        scratch = xp.empty((batch, hidden), dtype=gates.dtype)
        for t in reversed(self._times(steps)):
            n_ = self._active(t, batch)
            dhn = dh[:n_]
            dhn += grad[t, :n_]
            an = dan[t, :n_]
            xp.multiply(dhn, to_n[t, :n_], out=an)
            d = dgh[t, :n_]
            xp.multiply(dhn, to_z[t, :n_], out=d[:, hidden:2 * hidden])
            xp.multiply(an, to_r[t, :n_], out=d[:, :hidden])
            xp.multiply(an, r[t, :n_], out=d[:, 2 * hidden:])
            xp.dot(d, w_hh, out=scratch[:n_])
            dhn *= z[t, :n_]
            dhn += scratch[:n_]
        dgx = dgh.copy()
        dgx[..., 2 * hidden:] = dan
        return dgx, dgh, [dh]
