"""The IDX file format of MNIST and Fashion-MNIST (optionally gzip-compressed).

Layout (all big-endian): two zero bytes, one byte for the element type, one byte for the number
of dimensions d; then d uint32 sizes; then prod(sizes) elements in C order. MNIST images are
magic 0x00000803 (uint8, 3 dims: N, 28, 28), labels 0x00000801 (uint8, 1 dim: N).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from ..validation import check_int

__all__ = ["read_idx", "write_idx"]

# element-type byte -> big-endian NumPy dtype
_IDX_TYPES = {
    0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}
_TYPE_CODES = {dtype.newbyteorder("="): code for code, dtype in _IDX_TYPES.items()}


def _read_bytes(path: Path) -> bytes:
    """The file's content, decompressed if it ends in .gz; damaged files raise ValueError."""
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
        raise ValueError(
            f"{path}: not a complete gzip file ({error}); the download is probably truncated or "
            "corrupt: fetch it again"
        ) from None


def read_idx(path, expected_ndim: int | None = None) -> np.ndarray:
    """Read one IDX file (plain or .gz) into a NumPy array in native byte order.

    The header is checked against the data: a bad magic number, an unknown element type, a
    wrong number of dimensions or a data section of the wrong length raise ValueError naming
    the file.
    """
    if expected_ndim is not None:
        expected_ndim = check_int(expected_ndim, "expected_ndim", low=0, high=255)  # one header byte
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path}: too short for an IDX file ({len(data)} bytes); it is truncated")
    zero0, zero1, type_code, ndim = data[:4]
    if zero0 != 0 or zero1 != 0 or type_code not in _IDX_TYPES:
        raise ValueError(
            f"{path}: not an IDX file (magic number 0x{data[:4].hex()}; expected "
            "0x000008dd for uint8 data with dd dimensions, e.g. 0x00000803 for images, "
            "0x00000801 for labels)"
        )
    if expected_ndim is not None and ndim != expected_ndim:
        raise ValueError(
            f"{path}: expected an IDX file with {expected_ndim} dimension(s) "
            f"(magic 0x{type_code:02x}{expected_ndim:02x} low bytes), got {ndim} "
            f"(magic 0x{data[:4].hex()}); are images and labels files swapped?"
        )
    header_end = 4 + 4 * ndim
    if len(data) < header_end:
        raise ValueError(f"{path}: IDX header is truncated ({len(data)} bytes)")
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header_end
    if found != expected:
        state = "truncated" if found < expected else "longer than its header says"
        raise ValueError(
            f"{path}: IDX data is {state}: header says shape {shape} ({expected} bytes of data), "
            f"found {found} bytes"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_end).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def write_idx(path, array) -> None:
    """Write `array` as an IDX file (gzip-compressed if `path` ends in .gz)."""
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _TYPE_CODES:
        raise ValueError(
            f"write_idx: dtype {array.dtype} has no IDX type code; use one of "
            f"{sorted(str(d) for d in _TYPE_CODES)}"
        )
    code = _TYPE_CODES[native]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    content = header + array.astype(_IDX_TYPES[code]).tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(content) if path.suffix == ".gz" else content)
