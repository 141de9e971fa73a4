"""Writing a save: `save` (model file + companion, crash-safe order) and `upgrade` (format 1 -> 2)."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import safetensors.numpy

from .atomic import check_target, write_atomically
from .files import (COMPANION_FORMAT, COMPANION_SUFFIX, FORMAT, FORMAT_VERSION, OPT_STATE, RESERVED,
                    SAVE_ID_HEX, base_name, json_field, read_header, read_safetensors)

__all__ = ["save", "upgrade"]


def save(model, path, optimizer=None, metadata: dict | None = None,
         extra_tensors: dict | None = None) -> None:
    """Write `model`'s state dict to `path`, and `optimizer`'s state and the arrays of
    `extra_tensors` ({name: array}) to its companion file; JSON `metadata` goes in the header.

    `model` is a Module (anything with `state_dict()`) or a state dict itself, {name: array or
    Tensor}, as `torch.save(model.state_dict(), path)` users write; `load(model, path)` reads
    either back. Nothing is written unless everything can be encoded.
    """
    path = Path(path)
    model_tensors = _model_tensors(model)
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"save: metadata must be a dict (JSON-able) or None, got {type(metadata).__name__}")
    optimizer_header, companion_tensors = None, {}
    if optimizer is not None:
        companion_tensors, optimizer_header = _optimizer_entries(optimizer)
    for name, value in (extra_tensors or {}).items():
        if not isinstance(name, str) or name.startswith(RESERVED):
            raise ValueError(f"save: extra tensor name {name!r} must be a str not starting with "
                             f"{' or '.join(map(repr, RESERVED))} (the optimizer's)")
        companion_tensors[name] = _contiguous(value, f"extra tensor {name!r}")
    _save_parts(path, model_tensors, _to_json(metadata or {}, "metadata"), optimizer_header,
                companion_tensors)


def _model_tensors(model) -> dict:
    if callable(getattr(model, "state_dict", None)):
        state = model.state_dict()
    elif isinstance(model, Mapping):
        state = model
    else:
        raise TypeError(f"save: model must be a Module (anything with a state_dict() method) or a "
                        f"state dict {{name: array}}, got {type(model).__name__}")
    tensors = {}
    for key, value in state.items():
        if not isinstance(key, str):
            raise TypeError(f"save: state dict keys must be str, got {key!r} ({type(key).__name__})")
        tensors[key] = _contiguous(value, f"model state {key!r}")
    return tensors


def _save_parts(path: Path, model_tensors: dict, metadata_json: str, optimizer_header,
                companion_tensors: dict) -> None:
    """Encode the model file and (with an optimizer or extra tensors) its companion, then write
    the pair: companion first, model file second, older companions last."""
    save_id = secrets.token_hex(SAVE_ID_HEX // 2)
    header = {"format": FORMAT, "format_version": str(FORMAT_VERSION), "save_id": save_id,
              "metadata": metadata_json}
    companion = None
    if optimizer_header is not None or companion_tensors:
        companion_file = path.parent / f"{base_name(path)}.{save_id}{COMPANION_SUFFIX}"
        companion_header = {"format": COMPANION_FORMAT, "format_version": str(FORMAT_VERSION),
                            "save_id": save_id, "model_file": path.name}
        if optimizer_header is not None:
            companion_header["optimizer"] = _to_json(optimizer_header, "optimizer state")
        header["companion"] = companion_file.name
        companion = companion_file, _encode(companion_tensors, companion_header, path)
    content = _encode(model_tensors, header, path)
    check_target(path, "save")  # name the model file, not the companion, in these errors
    if companion is not None:
        write_atomically(companion[0], companion[1], who="save")
    try:
        write_atomically(path, content, who="save")
    except BaseException:
        # Unless the model file was replaced after all (an interrupt right after the rename),
        # no model file names the new companion: remove it.
        if companion is not None and read_header(path).get("save_id") != save_id:
            with contextlib.suppress(OSError):
                companion[0].unlink(missing_ok=True)
        raise
    _remove_stale_companions(path, keep=None if companion is None else companion[0].name)


def _encode(tensors: dict, header: dict, path: Path) -> bytes:
    try:
        return safetensors.numpy.save(tensors, metadata=header)
    except Exception as error:  # noqa: BLE001 - safetensors raises its own types
        raise ValueError(f"save: cannot encode the checkpoint for {path}: {error}") from None


def _remove_stale_companions(path: Path, keep: str | None) -> None:
    """Delete the companions of `path` other than `keep` and the one its model file names now
    (best effort: a leftover companion is never read, only wasted space)."""
    pattern = re.compile(re.escape(base_name(path)) + rf"\.[0-9a-f]{{{SAVE_ID_HEX}}}"
                         + re.escape(COMPANION_SUFFIX))
    current = read_header(path).get("companion")
    try:
        candidates = [p for p in path.parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return
    for candidate in candidates:
        if candidate.name in (keep, current):
            continue
        header = read_header(candidate)  # only companions of this very file name
        if header.get("format") == COMPANION_FORMAT and header.get("model_file") == path.name:
            with contextlib.suppress(OSError):
                candidate.unlink(missing_ok=True)


def _contiguous(value, what: str) -> np.ndarray:
    array = np.asarray(getattr(value, "data", value), order="C")  # keeps 0-d arrays 0-d
    if array.dtype.kind not in "biuf":
        raise ValueError(f"save: {what} has dtype {array.dtype}; only bool, integer and float "
                         "arrays can be saved")
    return array


def _optimizer_entries(optimizer):
    """Split optimizer.state_dict() into tensors (arrays) and a JSON-able header (the rest)."""
    state_dict = optimizer.state_dict()
    tensors, scalars, arrays = {}, {}, {}
    for index, entries in state_dict["state"].items():
        for name, value in entries.items():
            if isinstance(value, np.ndarray):
                tensors[f"{OPT_STATE}{int(index)}.{name}"] = _contiguous(
                    value, f"optimizer state {name!r} of parameter {index}")
                arrays.setdefault(str(int(index)), []).append(name)
            else:
                scalars.setdefault(str(int(index)), {})[name] = value
    header = {"class": type(optimizer).__name__, "param_groups": state_dict["param_groups"],
              "state": scalars, "state_arrays": arrays}
    return tensors, header


def _to_json(value, what: str) -> str:
    def plain(obj):  # NumPy scalars (np.float32(0.1), np.int64(3)) as Python numbers
        if isinstance(obj, np.generic):
            return obj.item()
        raise TypeError(f"{type(obj).__name__} is not JSON serialisable")

    try:
        return json.dumps(value, default=plain)
    except (TypeError, ValueError) as error:
        raise ValueError(f"save: {what} must be JSON-serialisable: {error}") from None


def upgrade(path) -> None:
    """Rewrite the format-1 gradcraft file `path` as format 2, in place: the weights under their
    state-dict names in `path` (loadable into PyTorch), the optimizer state and extra tensors
    in a companion file. The metadata is kept as it was."""
    path = Path(path)
    tensors, raw_meta = read_safetensors(path, "checkpoint")
    if raw_meta.get("format") != FORMAT or raw_meta.get("format_version") != "1":
        raise ValueError(f"upgrade: {path} is not a gradcraft file of format version 1")
    model = {key[len("model."):]: value for key, value in tensors.items() if key.startswith("model.")}
    rest = {key: value for key, value in tensors.items() if not key.startswith("model.")}
    optimizer = json_field(path, raw_meta, "optimizer", "null")
    metadata = json.dumps(json_field(path, raw_meta, "metadata", "{}"))
    _save_parts(path, model, metadata, optimizer, rest)
