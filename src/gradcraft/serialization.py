"""Model files: `save(model, path, optimizer=None, metadata=None, extra_tensors=None)` and
`load(model, path, optimizer=None)`; `read_checkpoint(path)` reads one file once for callers that
need more than the weights (the training loop's resume: metadata and extra tensors too).

A checkpoint is one safetensors file (no pickle: loading a file never runs code from it).

Tensors:
    model.<state_dict key>                     every entry of model.state_dict()
    optimizer.state.<param index>.<name>       every array in optimizer.state_dict()['state']
    <any other name>                           `extra_tensors`, stored under their own names;
                                               `load` ignores them. `fit`'s checkpoints put the
                                               callbacks' arrays there as
                                               callbacks.<callback index>.<name>, e.g.
                                               EarlyStopping's best weights:
                                               callbacks.<i>.best.<state_dict key>
String metadata (the safetensors header's "__metadata__"):
    format          "gradcraft"
    format_version  "1"
    metadata        JSON: the user's metadata dict (epoch, architecture, class names...)
    optimizer       JSON (only when saved with an optimizer): {"class": "Adam",
                    "param_groups": [{hyper-parameters..., "params": [indices]}],
                    "state": {index: {name: number, ...}}  (non-array state, e.g. Adam's step),
                    "state_arrays": {index: [names]}}      (which tensors must be present)

Writing is atomic: the bytes go to a temporary file in the destination directory, which is
flushed to disk and then renamed over `path` (os.replace), so a crash never leaves a half-written
checkpoint under the real name.

Loading validates everything first -- the file is complete safetensors, the keys, shapes and
dtypes fit `model.state_dict()`, the optimizer class and parameter-group layout match -- and
only then calls `model.load_state_dict` / `optimizer.load_state_dict`: a bad file raises a
ValueError naming the path and the problem, and leaves model and optimizer unchanged.

Dtypes follow the model, as in PyTorch (`load_state_dict` copies into the existing parameters):
a floating-point tensor of another float dtype (a float64 checkpoint, a float32 model) is cast
to the model's dtype, and the optimizer state to its parameter's dtype. Any other dtype
difference (integer or bool against float, int32 against int64) is refused: a cast there would
round or reinterpret values silently (an int buffer such as `num_batches_tracked` read from
floats, weights read from integers).

A safetensors file without gradcraft's metadata (e.g. written by `safetensors.torch.save_file(
torch_model.state_dict(), path)`) is read as a plain state dict: its tensor names are the model's
state_dict keys.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import numpy as np
import safetensors.numpy

__all__ = ["save", "load", "load_metadata", "read_checkpoint", "Checkpoint", "write_atomically",
           "FORMAT_VERSION"]

FORMAT = "gradcraft"
FORMAT_VERSION = 1
_MODEL = "model."
_OPT_STATE = "optimizer.state."
_RESERVED = ("model.", "optimizer.")  # extra tensors may not use these prefixes


# ---------------------------------------------------------------------------------- saving
def save(model, path, optimizer=None, metadata: dict | None = None,
         extra_tensors: dict | None = None) -> None:
    """Write `model`'s state dict (and `optimizer`'s state, JSON `metadata`, and the arrays of
    `extra_tensors`, {name: array} under their own names) to `path`."""
    path = Path(path)
    if not callable(getattr(model, "state_dict", None)):
        raise TypeError(f"save: model must have a state_dict() method, got {type(model).__name__}")
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"save: metadata must be a dict (JSON-able) or None, got {type(metadata).__name__}")
    tensors = {}
    for key, value in model.state_dict().items():
        tensors[_MODEL + key] = _contiguous(value, f"model state {key!r}")
    header = {"format": FORMAT, "format_version": str(FORMAT_VERSION),
              "metadata": _to_json(metadata or {}, "metadata")}
    if optimizer is not None:
        opt_tensors, opt_header = _optimizer_entries(optimizer)
        tensors.update(opt_tensors)
        header["optimizer"] = _to_json(opt_header, "optimizer state")
    for name, value in (extra_tensors or {}).items():
        if not isinstance(name, str) or name.startswith(_RESERVED):
            raise ValueError(f"save: extra tensor name {name!r} must be a str not starting with "
                             f"{' or '.join(map(repr, _RESERVED))} (the model's and optimizer's)")
        tensors[name] = _contiguous(value, f"extra tensor {name!r}")
    try:
        content = safetensors.numpy.save(tensors, metadata=header)
    except Exception as error:  # noqa: BLE001 - safetensors raises its own types
        raise ValueError(f"save: cannot encode the checkpoint for {path}: {error}") from None
    write_atomically(path, content, who="save")


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
                tensors[f"{_OPT_STATE}{int(index)}.{name}"] = _contiguous(
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


def write_atomically(path, content: bytes | str, who: str = "write") -> None:
    """Replace the file `path` by `content` (bytes, or str written as UTF-8) all at once.

    The bytes go to a temporary file beside `path`, are flushed to disk, and the temporary file
    is renamed over `path`: readers (and a crash) see the old file or the new one, never half of
    one, and an error leaves no temporary file behind. `who` prefixes the error messages.
    """
    path = Path(path)
    if isinstance(content, str):
        content = content.encode("utf-8")
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():  # else os.replace fails naming only the temporary file
        raise IsADirectoryError(f"{who}: {path} is a directory; give a file name (inside it)")
    if not directory.is_dir():
        raise FileNotFoundError(f"{who}: directory {directory} does not exist (for {path})")
    temporary = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # O_EXCL: never write through someone else's file; mode 0o666 minus the umask, like open().
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable (POSIX); best effort elsewhere
        directory_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory_fd)
    except OSError:
        pass
    finally:
        os.close(directory_fd)


# ---------------------------------------------------------------------------------- reading
class Checkpoint:
    """A validated-as-a-file checkpoint: tensors by name, and the parsed gradcraft header.

    `metadata` is the user's metadata dict; `extra_tensors(prefix)` the extra tensors;
    `load_into(model, optimizer)` does what `load` does. The file is read once, at construction.
    """

    def __init__(self, path: Path):
        self.path = path
        if not path.is_file():
            if path.exists():
                raise ValueError(f"{path} is not a file")
            raise FileNotFoundError(f"checkpoint file not found: {path}")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ValueError(f"cannot read checkpoint {path}: {error}") from None
        try:
            self.tensors = safetensors.numpy.load(data)
            header_size = int.from_bytes(data[:8], "little")
            raw_meta = json.loads(data[8:8 + header_size]).get("__metadata__") or {}
        except Exception as error:  # noqa: BLE001 - SafetensorError, JSON errors: all mean corrupt
            raise ValueError(
                f"{path}: not a valid safetensors file ({len(data)} bytes; truncated or corrupt?): "
                f"{error}"
            ) from None
        self.is_gradcraft = raw_meta.get("format") == FORMAT
        self.metadata, self.optimizer = {}, None
        if not self.is_gradcraft:
            return
        version = raw_meta.get("format_version")
        if version != str(FORMAT_VERSION):
            raise ValueError(f"{path}: checkpoint format version {version!r} is not supported "
                             f"(this gradcraft reads version {FORMAT_VERSION})")
        try:
            self.metadata = json.loads(raw_meta.get("metadata", "{}"))
            if "optimizer" in raw_meta:
                self.optimizer = json.loads(raw_meta["optimizer"])
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: corrupt JSON metadata in the checkpoint: {error}") from None

    def extra_tensors(self, prefix: str = "") -> dict:
        """{name without `prefix`: array} of the extra tensors whose names start with `prefix`."""
        if not self.is_gradcraft:
            return {}  # a plain state dict: every tensor is the model's
        return {name[len(prefix):]: array for name, array in self.tensors.items()
                if name.startswith(prefix) and not name.startswith(_RESERVED)}

    def load_into(self, model, optimizer=None) -> dict:
        """Validate, then restore `model` (and `optimizer`); return the metadata. See `load`."""
        model_state = self.model_state(model)
        optimizer_state = None if optimizer is None else self.optimizer_state(optimizer)
        backup = model.state_dict()
        model.load_state_dict(model_state)
        if optimizer_state is not None:
            try:
                optimizer.load_state_dict(optimizer_state)
            except Exception:
                model.load_state_dict(backup)  # all or nothing
                raise
        return self.metadata

    def fail(self, message: str):
        raise ValueError(f"{self.path}: {message}")

    def model_state(self, model) -> dict:
        """The file's model tensors, checked against model.state_dict() (keys, shapes, dtypes)."""
        prefix = _MODEL if self.is_gradcraft else ""
        saved = {name[len(prefix):]: array for name, array in self.tensors.items()
                 if name.startswith(prefix)}
        expected = model.state_dict()
        problems = []
        missing = [k for k in expected if k not in saved]
        unexpected = sorted(k for k in saved if k not in expected)
        if missing:
            problems.append(f"missing {_listing(missing)}")
        if unexpected:
            problems.append(f"unexpected {_listing(unexpected)}")
        for key, target in expected.items():
            if key not in saved:
                continue
            value = saved[key]
            if value.shape != target.shape:
                problems.append(f"{key}: shape {value.shape} in the file, the model has {target.shape}")
            elif value.dtype != target.dtype:
                if _castable(value.dtype, target.dtype):
                    saved[key] = value.astype(target.dtype)  # as PyTorch: the model keeps its dtype
                else:
                    problems.append(f"{key}: dtype {value.dtype} in the file, the model has {target.dtype}")
        if problems:
            self.fail(f"does not fit {type(model).__name__} (model left unchanged): "
                      + "; ".join(problems))
        return saved

    def optimizer_state(self, optimizer) -> dict:
        """The file's optimizer state as a state dict, checked against `optimizer`."""
        saved = self.optimizer
        if saved is None:
            self.fail("has no optimizer state (it was saved without optimizer=); "
                      "load it without optimizer=")
        name = type(optimizer).__name__
        if saved.get("class") != name:
            self.fail(f"holds {saved.get('class')} state, cannot load it into {name}")
        live = optimizer.state_dict()["param_groups"]
        groups = saved.get("param_groups", [])
        if [len(g.get("params", [])) for g in groups] != [len(g["params"]) for g in live]:
            self.fail(f"{name} parameter groups hold {[len(g.get('params', [])) for g in groups]} "
                      f"parameters in the file, the optimizer's hold {[len(g['params']) for g in live]}")
        for i, (group, current) in enumerate(zip(groups, live)):
            keys, current_keys = set(group) - {"initial_lr"}, set(current) - {"initial_lr"}
            if keys != current_keys:
                self.fail(f"{name} parameter group {i} has hyper-parameters {sorted(keys)} in the "
                          f"file, the optimizer has {sorted(current_keys)}")
            for key, value in current.items():  # JSON turned tuples (Adam's betas) into lists
                if isinstance(value, tuple) and isinstance(group.get(key), list):
                    group[key] = tuple(group[key])
        shapes = [tuple(p.shape) for g in optimizer.param_groups for p in g["params"]]
        dtypes = [np.dtype(p.dtype) for g in optimizer.param_groups for p in g["params"]]
        state = {}
        arrays = saved.get("state_arrays", {})
        for index in sorted(set(saved.get("state", {})) | set(arrays), key=int):
            position = int(index)
            if not 0 <= position < len(shapes):
                self.fail(f"optimizer state for parameter {position}, but the optimizer has "
                          f"{len(shapes)} parameters")
            entries = dict(saved.get("state", {}).get(index, {}))
            for array_name in arrays.get(index, []):
                key = f"{_OPT_STATE}{position}.{array_name}"
                if key not in self.tensors:
                    self.fail(f"optimizer state tensor {key!r} is missing")
                value = self.tensors[key]
                if value.ndim > 0:
                    if value.shape != shapes[position]:
                        self.fail(f"optimizer state {array_name!r} of parameter {position} has shape "
                                  f"{value.shape}, the parameter has {shapes[position]}")
                    if value.dtype != dtypes[position]:
                        if not _castable(value.dtype, dtypes[position]):
                            self.fail(f"optimizer state {array_name!r} of parameter {position} has "
                                      f"dtype {value.dtype}, the parameter has {dtypes[position]}")
                        value = value.astype(dtypes[position])  # state follows its parameter
                entries[array_name] = value
            state[position] = entries
        return {"state": state, "param_groups": groups}


def _castable(stored: np.dtype, wanted: np.dtype) -> bool:
    """True when an array of dtype `stored` is loaded by casting it to `wanted`: float to float
    only (float64 -> float32 rounds to nearest, as `astype` and torch's `copy_` do)."""
    return stored.kind == "f" and np.dtype(wanted).kind == "f"


def _listing(keys, limit: int = 8) -> str:
    shown = ", ".join(repr(k) for k in keys[:limit])
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return f"key{'s' if len(keys) > 1 else ''} {shown}{more}"


def load(model, path, optimizer=None) -> dict:
    """Restore `model` (and `optimizer`) from a checkpoint written by `save`; return its metadata.

    Nothing is changed unless the whole file is valid and fits: otherwise ValueError (naming
    the path and every mismatch) and model and optimizer keep their state. A missing file raises
    FileNotFoundError. Loading into a model without an optimizer ignores saved optimizer state,
    and extra tensors (e.g. a training checkpoint's EarlyStopping best weights) are ignored: the
    model gets the `model.*` weights, those of the epoch the checkpoint was written after.
    Float tensors of another float dtype are cast: weights to the model's dtype, optimizer state
    to its parameter's (a float64 checkpoint loads into a float32 model, and vice versa).
    """
    return Checkpoint(Path(path)).load_into(model, optimizer)


def load_metadata(path) -> dict:
    """The user metadata of a checkpoint (e.g. to rebuild the model before `load`)."""
    return Checkpoint(Path(path)).metadata


def read_checkpoint(path) -> Checkpoint:
    """Read and check the file `path` once (ValueError if it is not a complete checkpoint);
    nothing is loaded anywhere until `load_into` is called."""
    return Checkpoint(Path(path))
