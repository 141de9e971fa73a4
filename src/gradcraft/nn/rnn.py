"""Recurrent layers with PyTorch's API: `RNN`, `LSTM`, `GRU` (stacked, bidirectional) and the
single-step cells `RNNCell`, `LSTMCell`, `GRUCell`.

Parameter names, shapes, gate order and initialisation are PyTorch's, so a torch module's
state dict loads as it is. Each layer and direction is one fused op with a hand-written
backpropagation through time (`ops/rnn.py`, `rnn_lstm.py`, `rnn_gru.py`); a cell is the same
op over one time step.

Beyond PyTorch: `forward(input, hx, lengths=...)` or `mask=...` runs a padded batch of
sequences of different lengths with the semantics of PyTorch's packed sequences (outputs at
padded steps are zero, h_n is each sequence's state at its last real step, the reverse
direction starts there), without packing.
"""

from __future__ import annotations

import math
import warnings

from .. import functional as F
from ..backend import xp
from ..functional.recurrent import sequence_lengths
from ..ops.functions import concatenate, stack
from ..ops.rnn import RNNLayer
from ..ops.rnn_gru import GRULayer
from ..ops.rnn_lstm import LSTMLayer
from ..tensor import Tensor, as_tensor
from ..validation import check_bool, check_choice, check_int, check_real, describe
from ..devices import device as check_device
from . import init
from .module import Module, check_float_dtype
from .parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

# mode -> (fused op, number of gates)
_MODES = {"RNN_TANH": (RNNLayer, 1), "RNN_RELU": (RNNLayer, 1), "LSTM": (LSTMLayer, 4), "GRU": (GRULayer, 3)}


def _input_tensor(value, layer: str, dtype) -> Tensor:
    if not isinstance(value, Tensor | xp.ndarray):
        raise TypeError(f"{layer}: input must be a Tensor or a NumPy array, got {describe(value)}")
    value = as_tensor(value)
    if value.dtype != dtype:
        raise TypeError(f"{layer}: input must have the layer's dtype {dtype}, got {value.dtype} "
                        f"(convert one of them: x.astype(...), layer.double() / .float())")
    return value


def _state_tensor(value, name: str, shape: tuple, layer: str, dtype) -> Tensor:
    """A given initial state, checked against the shape the input implies."""
    value = _input_tensor(value, f"{layer} {name}", dtype)
    if tuple(value.shape) != shape:
        raise ValueError(f"{layer}: {name} must have shape {shape} for this input, got {tuple(value.shape)}")
    return value


def _uniform_init(module, hidden_size: int, rng) -> None:
    """PyTorch's init of every recurrent weight and bias: U(-1/sqrt(hidden), 1/sqrt(hidden)),
    drawn parameter by parameter in their order."""
    bound = 1.0 / math.sqrt(hidden_size)
    rng = init.make_rng(rng)
    for p in module.parameters():
        init.uniform_(p, -bound, bound, rng=rng)


def _make_weights(module, suffix: str, gates: int, input_size: int, hidden_size: int, bias: bool, dtype):
    """weight_ih{suffix} (G*H, I), weight_hh{suffix} (G*H, H) and, with bias, bias_ih/bias_hh
    (G*H,): PyTorch's names and order."""
    rows = gates * hidden_size
    setattr(module, f"weight_ih{suffix}", Parameter(xp.empty((rows, input_size), dtype=dtype)))
    setattr(module, f"weight_hh{suffix}", Parameter(xp.empty((rows, hidden_size), dtype=dtype)))
    if bias:
        setattr(module, f"bias_ih{suffix}", Parameter(xp.empty(rows, dtype=dtype)))
        setattr(module, f"bias_hh{suffix}", Parameter(xp.empty(rows, dtype=dtype)))


def _weights(module, suffix: str, bias: bool) -> list:
    names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if bias else [])
    return [getattr(module, name + suffix) for name in names]


class RNNBase(Module):
    """The stacked recurrent network (PyTorch's RNNBase): `mode` is 'RNN_TANH', 'RNN_RELU',
    'LSTM' or 'GRU'. Use `RNN`, `LSTM` or `GRU`.

    forward(input, hx=None, *, lengths=None, mask=None) -> (output, h_n), or for the LSTM
    (output, (h_n, c_n)):

    - input (T, N, input_size), (N, T, input_size) with `batch_first`, or one unbatched
      sequence (T, input_size);
    - hx (num_layers * D, N, hidden_size) (D = 2 if bidirectional), (num_layers * D,
      hidden_size) for an unbatched input; the LSTM takes a pair (h0, c0); None -> zeros;
    - output (T, N, D * hidden_size) (batch first with `batch_first`; (T, D * hidden_size)
      unbatched): the last layer's h at every step, the directions concatenated;
      h_n (and c_n): every layer's and direction's final state, index layer * D + direction;
    - `lengths` (N ints in [1, T]) or `mask` (bool (N, T), a prefix of True per sequence):
      sequences of different lengths padded to T, with PyTorch's packed-sequence semantics
      (what pack_padded_sequence(..., enforce_sorted=False) gives): the padded steps'
      outputs are zero, h_n holds each sequence's state at its last real step, the reverse
      direction starts from there, and the padded inputs have no effect on anything.
      The output keeps all T steps (pad_packed_sequence would cut it to max(lengths)).

    `dropout`: in training, dropout with that probability on the outputs of every layer but
    the last (drawn from `rng`, as `nn.Dropout`). `rng` also draws the initial weights.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None, rng=None):
        super().__init__()
        self.mode = check_choice(mode, "mode", tuple(_MODES))
        name = type(self).__name__
        self.input_size = check_int(input_size, "input_size", low=1)
        self.hidden_size = check_int(hidden_size, "hidden_size", low=1)
        self.num_layers = check_int(num_layers, "num_layers", low=1)
        self.bias = check_bool(bias, "bias")
        self.batch_first = check_bool(batch_first, "batch_first")
        self.dropout = check_real(dropout, "dropout", low=0.0, high=1.0)
        self.bidirectional = check_bool(bidirectional, "bidirectional")
        if check_int(proj_size, "proj_size", low=0) != 0:
            raise ValueError(f"{name}: proj_size is not supported (got {proj_size}); use proj_size=0 "
                             f"and a Linear layer")
        self.proj_size = 0
        if device is not None:
            check_device(device)
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so non-zero "
                          f"dropout expects num_layers greater than 1, but got dropout={self.dropout} and "
                          f"num_layers={self.num_layers}", UserWarning, stacklevel=2)
        dtype = check_float_dtype(dtype)
        self._op, self._gates = _MODES[self.mode]
        self._nonlinearity = "relu" if self.mode == "RNN_RELU" else "tanh"
        directions = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            for direction in range(directions):
                size = self.input_size if layer == 0 else self.hidden_size * directions
                _make_weights(self, self._suffix(layer, direction), self._gates, size, self.hidden_size,
                              self.bias, dtype)
        self.rng = init.make_rng(rng)
        self.reset_parameters(self.rng)

    @staticmethod
    def _suffix(layer: int, direction: int) -> str:
        return f"_l{layer}" + ("_reverse" if direction else "")

    def reset_parameters(self, rng=None) -> None:
        """Redraw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        _uniform_init(self, self.hidden_size, rng)

    @property
    def _dtype(self):
        return self.weight_ih_l0.dtype

    def forward(self, input, hx=None, *, lengths=None, mask=None):
        name = type(self).__name__
        x = _input_tensor(input, name, self._dtype)
        if x.ndim not in (2, 3):
            layout = "(batch, time, features)" if self.batch_first else "(time, batch, features)"
            raise ValueError(f"{name}: input must be 3-D {layout} or 2-D (time, features) unbatched, "
                             f"got shape {tuple(x.shape)}")
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input's last axis must have input_size={self.input_size} features, "
                             f"got shape {tuple(x.shape)}")
        batched = x.ndim == 3
        if not batched:
            if lengths is not None or mask is not None:
                raise ValueError(f"{name}: lengths= and mask= need a batched (3-D) input, got shape {tuple(x.shape)}")
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(1, 0, 2)
        steps, batch = x.shape[0], x.shape[1]
        lengths = sequence_lengths(lengths, mask, batch, steps, name)
        states = self._initial_states(hx, batched, batch)
        directions = 2 if self.bidirectional else 1
        count = 2 if self.mode == "LSTM" else 1
        finals = [[] for _ in range(count)]
        packed = None
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                packed = self._op.apply(x, *(s[k] for s in states),
                                        *_weights(self, self._suffix(layer, direction), self.bias),
                                        reverse=bool(direction), lengths=lengths, nonlinearity=self._nonlinearity)
                outputs.append(packed[:steps])
                for s in range(count):
                    finals[s].append(packed[steps + s])
            x = outputs[0] if directions == 1 else concatenate(outputs, axis=-1)
            if self.training and self.dropout > 0 and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True, self.rng)
        if len(finals[0]) == 1:   # one layer, one direction: views of the op's output, no copy
            finals = [packed[steps + s:steps + s + 1] for s in range(count)]
        else:
            finals = [stack(f, axis=0) for f in finals]
        if not batched:
            x, finals = x.squeeze(1), [f.squeeze(1) for f in finals]
        elif self.batch_first:
            x = x.transpose(1, 0, 2)
        return (x, tuple(finals)) if self.mode == "LSTM" else (x, finals[0])

    def _initial_states(self, hx, batched: bool, batch: int) -> list:
        """Per state (h, and c for the LSTM), a list indexable by layer * D + direction."""
        name = type(self).__name__
        count = 2 if self.mode == "LSTM" else 1
        layers = self.num_layers * (2 if self.bidirectional else 1)
        shape = (layers, batch, self.hidden_size) if batched else (layers, self.hidden_size)
        if hx is None:
            zeros = xp.zeros((layers, batch, self.hidden_size), dtype=self._dtype)
            return [zeros] * count
        if count == 2:
            if not isinstance(hx, tuple | list) or len(hx) != 2:
                raise TypeError(f"{name}: hx must be a pair (h0, c0), got {describe(hx)}")
            given = list(zip(("h0", "c0"), hx))
        else:
            given = [("hx", hx)]
        states = []
        for label, value in given:
            value = _state_tensor(value, label, shape, name, self._dtype)
            states.append(value if batched else value.unsqueeze(1))
        return states

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        for flag, default in (("bias", True), ("batch_first", False), ("bidirectional", False)):
            if getattr(self, flag) != default:
                text += f", {flag}={getattr(self, flag)}"
        if self.dropout:
            text += f", dropout={self.dropout}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act 'tanh' or 'relu'.
    See `RNNBase` for forward."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None, rng=None):
        self.nonlinearity = check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, 0, device, dtype, rng)


class LSTM(RNNBase):
    """LSTM with PyTorch's gates (i, f, g, o stacked in the weights' rows). forward returns
    (output, (h_n, c_n)) and takes hx = (h0, c0); see `RNNBase`. proj_size must be 0."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None, rng=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype, rng)


class GRU(RNNBase):
    """GRU with PyTorch's gates (r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn))).
    See `RNNBase` for forward."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None, rng=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype, rng)


# ------------------------------------------------------------------ cells
class RNNCellBase(Module):
    """One time step: weight_ih (G*H, input_size), weight_hh (G*H, hidden_size), bias_ih,
    bias_hh (G*H,), PyTorch's names and init. The step is the layers' fused op over T = 1.

    forward(input, hx=None): input (N, input_size) or unbatched (input_size,); hx of shape
    (N, hidden_size) (or (hidden_size,)), a pair (h, c) for the LSTMCell; None -> zeros.
    Returns h' (a pair (h', c') for the LSTMCell).
    """

    _mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None, rng=None):
        super().__init__()
        self.input_size = check_int(input_size, "input_size", low=1)
        self.hidden_size = check_int(hidden_size, "hidden_size", low=1)
        self.bias = check_bool(bias, "bias")
        if device is not None:
            check_device(device)
        self._op, gates = _MODES[self._mode]
        _make_weights(self, "", gates, self.input_size, self.hidden_size, self.bias, check_float_dtype(dtype))
        self.reset_parameters(rng)

    def reset_parameters(self, rng=None) -> None:
        """Redraw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        _uniform_init(self, self.hidden_size, rng)

    def forward(self, input, hx=None):
        name = type(self).__name__
        dtype = self.weight_ih.dtype
        x = _input_tensor(input, name, dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input must have shape (batch, {self.input_size}) or ({self.input_size},), "
                             f"got {tuple(x.shape)}")
        batched = x.ndim == 2
        x = x if batched else x.unsqueeze(0)
        batch = x.shape[0]
        count = 2 if self._mode == "LSTM" else 1
        shape = (batch, self.hidden_size) if batched else (self.hidden_size,)
        if hx is None:
            states = [xp.zeros((batch, self.hidden_size), dtype=dtype)] * count
        else:
            if count == 2 and (not isinstance(hx, tuple | list) or len(hx) != 2):
                raise TypeError(f"{name}: hx must be a pair (h, c), got {describe(hx)}")
            given = zip(("h", "c"), hx) if count == 2 else [("hx", hx)]
            states = [_state_tensor(v, label, shape, name, dtype) for label, v in given]
            states = states if batched else [s.unsqueeze(0) for s in states]
        packed = self._op.apply(x.unsqueeze(0), *states, *_weights(self, "", self.bias),
                                nonlinearity="relu" if self._mode == "RNN_RELU" else "tanh")
        finals = [packed[1 + s] if batched else packed[1 + s, 0] for s in range(count)]
        return tuple(finals) if count == 2 else finals[0]

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(RNNCellBase):
    """h' = act(W_ih x + b_ih + W_hh h + b_hh), act 'tanh' or 'relu'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None, rng=None):
        self.nonlinearity = check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, device, dtype, rng)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o): forward(input, (h, c)) -> (h', c')."""

    _mode = "LSTM"


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n)."""

    _mode = "GRU"
