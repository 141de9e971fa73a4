"""2-D transposed convolution (PyTorch's conv_transpose2d): the adjoint of conv2d.

Shapes (PyTorch's): input x (N, C_in, H, W), weight (C_in, C_out/groups, KH, KW), bias (C_out,),
output (N, C_out, OH, OW) with

    OH = (H - 1)*sh - 2*ph + dh*(KH - 1) + oph + 1      (and OW likewise),

output_padding oph < sh or oph < dh (PyTorch's rule).

Why this is the adjoint: conv2d with this weight read as a conv weight (O = C_in filters over
C_out channels) maps an image z of C_out channels and padded size Hp = (H - 1)*sh + dh*(KH - 1)
+ 1 + oph to x of size H: x = W_mat im2col(z). Its adjoint (dL/dz given dL/dx, i.e. conv2d's
input gradient) is z = col2im(W_mat^T x), and the transposed convolution is exactly that,
cropped by the padding: y = col2im(W^T x)[ph : Hp - ph]. The output_padding rows at the end
of Hp are rows no window reaches (only the bias lands there), as in PyTorch.

Forward, per group g (C_in/groups input channels, C_out/groups output channels):
    X_g  = x viewed channel-major (C_in/groups, N*H*W)
    cols = W_g^T X_g                   (C_out/groups*KH*KW, N*H*W): one (batched) GEMM
    z    = col2im(cols) with `add_windows_back` (loops over the KH*KW offsets), y = crop(z) + b.

Backward, with G = dL/dy zero-padded back to the size Hp of z (col2im's adjoint is im2col):
    gcols = im2col(G)                  (C_out*KH*KW, N*H*W): a conv2d-like window copy
    dx_g  = W_g gcols_g                (C_in/groups, N*H*W): conv2d of G with W, stride s
    dW_g  = X_g gcols_g^T              (C_in/groups, C_out/groups*KH*KW)
    db    = G summed over N, OH, OW.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import xp
from .conv import (add_windows_back, check_bias, check_conv_hyper, check_conv_ranks, check_groups,
                   grouped_matmul, grouped_matmul_t, im2col, pad_spatial)


def conv_transpose_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                               output_padding: int) -> int:
    """(size - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1 (may be <= 0)."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def check_conv_transpose_arguments(x_shape, w_shape, bias_shape, stride, padding, output_padding,
                                   dilation, groups=1, *, function="conv_transpose2d"):
    """Validate shapes and hyper-parameters of a transposed convolution with len(stride)
    spatial axes; return the output spatial size. x (N, C_in, *spatial) or (C_in, *spatial),
    weight (C_in, C_out/groups, *kernel)."""
    spatial = len(stride)
    check_conv_ranks(function, x_shape, w_shape, spatial, "in_channels, out_channels/groups")
    kernel, sizes = tuple(w_shape[2:]), tuple(x_shape[-spatial:])
    check_conv_hyper(function, stride, padding, dilation, kernel)
    too_large = any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation))
    if min(output_padding) < 0 or too_large:
        raise ValueError(f"{function}: output_padding must be >= 0 and smaller than either stride "
                         f"or dilation, got output_padding={tuple(output_padding)}, "
                         f"stride={tuple(stride)}, dilation={tuple(dilation)}")
    channels = x_shape[-spatial - 1]
    check_groups(function, groups, w_shape, {"in_channels (weight.shape[0])": w_shape[0]})
    if channels != w_shape[0]:
        raise ValueError(f"{function}: input has {channels} channels (input shape {tuple(x_shape)}) "
                         f"but weight of shape {tuple(w_shape)} expects {w_shape[0]} (weight.shape[0])")
    check_bias(function, bias_shape, groups * w_shape[1])
    out = tuple(conv_transpose_output_size(sizes[a], kernel[a], stride[a], padding[a], dilation[a],
                                           output_padding[a]) for a in range(spatial))
    if min(out, default=1) < 1:
        raise ValueError(f"{function}: the output size {out} is not positive: input of spatial size "
                         f"{sizes} (input shape {tuple(x_shape)}), kernel {kernel}, stride "
                         f"{tuple(stride)}, padding {tuple(padding)}, dilation {tuple(dilation)}, "
                         f"output_padding {tuple(output_padding)}")
    return out


class ConvTranspose2d(Function):
    """y = conv_transpose2d(x, weight) + bias, NCHW; options stride, padding, output_padding,
    dilation as (h, w) pairs and groups (an int dividing C_in)."""

    def forward(self, x, weight, bias=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0),
                dilation=(1, 1), groups=1):
        oh, ow = check_conv_transpose_arguments(
            x.shape, weight.shape, None if bias is None else bias.shape, stride, padding,
            output_padding, dilation, groups)
        n, c_in, h, w = x.shape
        _, c_group, kh, kw = weight.shape
        c_out, (ph, pw) = groups * c_group, padding
        x_mat = xp.ascontiguousarray(x.transpose(1, 0, 2, 3)).reshape(c_in, n * h * w)
        cols = grouped_matmul_t(weight.reshape(c_in, -1), x_mat, groups, "a")  # (C_out*KH*KW, N*H*W)
        full = xp.zeros((n, c_out, oh + 2 * ph, ow + 2 * pw), dtype=cols.dtype)
        add_windows_back(full, cols.reshape(c_out, kh, kw, n, h, w).transpose(1, 2, 3, 0, 4, 5),
                         stride, dilation)
        out = full if ph == 0 and pw == 0 else xp.ascontiguousarray(full[:, :, ph:ph + oh, pw:pw + ow])
        if bias is not None:
            out += bias[:, None, None]
        # dx reads the weight; dW reads x, through the op's own channel-major copy of it
        self.save_for_backward(weight if self.needs_input_grad[0] else None)
        self.x_mat = x_mat if self.needs_input_grad[1] else None
        self.x_shape, self.weight_shape = x.shape, weight.shape
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        return out

    def backward(self, grad):
        needs = self.needs_input_grad
        weight, = self.saved
        n, c_in, h, w = self.x_shape
        _, _, kh, kw = self.weight_shape
        gx = gw = gb = None
        if needs[0] or needs[1]:
            gcols = im2col(pad_spatial(grad, self.padding), (kh, kw), self.stride, self.dilation, (h, w))
        if needs[0]:
            dx = grouped_matmul(weight.reshape(c_in, -1), gcols, self.groups)  # (C_in, N*H*W)
            gx = dx.reshape(c_in, n, h, w).transpose(1, 0, 2, 3)
        if needs[1]:
            gw = grouped_matmul_t(self.x_mat, gcols, self.groups, "b").reshape(self.weight_shape)
        if len(needs) > 2 and needs[2]:
            gb = grad.sum(axis=(0, 2, 3))
        return gx, gw, gb
