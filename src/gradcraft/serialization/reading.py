"""Reading a save: `Checkpoint` (both files read once and validated), `load`, `load_metadata`,
`read_checkpoint`, `companion_path`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .files import (COMPANION_FORMAT, FORMAT, FORMAT_VERSION, OPT_STATE, READ_ATTEMPTS, RESERVED,
                    json_field, read_header, read_safetensors)

__all__ = ["Checkpoint", "load", "load_metadata", "read_checkpoint", "companion_path"]


class Checkpoint:
    """A model file read and checked as a file (and its companion, unless `companion=False`).

    `tensors` are the model's (its state dict), `metadata` the user's metadata dict,
    `optimizer` the saved optimizer header (or None), `extra_tensors(prefix)` the extra tensors,
    `companion` the companion's path (or None); `load_into(model, optimizer)` does what `load`
    does. The files are read once, at construction.
    """

    def __init__(self, path: Path, companion: bool = True):
        self.path = path
        self.metadata, self.optimizer, self.companion = {}, None, None
        self._companion_tensors: dict = {}
        for _ in range(READ_ATTEMPTS):
            self.tensors, raw_meta = read_safetensors(path, "checkpoint")
            self._check_format(raw_meta)
            self.is_gradcraft = raw_meta.get("format") == FORMAT
            if not (companion and self.is_gradcraft and raw_meta.get("companion")):
                break
            if self._read_companion(raw_meta):
                break
        else:
            self.fail(f"the file was replaced {READ_ATTEMPTS} times while it was read (another "
                      "process saving to it?); nothing was loaded")
        if self.is_gradcraft:
            self.metadata = json_field(path, raw_meta, "metadata", "{}")

    def _check_format(self, raw_meta: dict) -> None:
        kind, version = raw_meta.get("format"), raw_meta.get("format_version")
        if kind == COMPANION_FORMAT:
            self.fail(f"is the companion file of the model file {raw_meta.get('model_file')!r} "
                      "(its optimizer state and extra tensors); load the model file")
        if kind != FORMAT or version == str(FORMAT_VERSION):
            return
        if version == "1":
            self.fail("is a gradcraft checkpoint of format version 1 (written by an earlier "
                      "gradcraft: weights named model.<key>, optimizer state in the same file); "
                      f"this gradcraft reads format version {FORMAT_VERSION}, whose model files "
                      "load into PyTorch as they are. Convert it once with "
                      f"gradcraft.serialization.upgrade({str(self.path)!r})")
        self.fail(f"checkpoint format version {version!r} is not supported (this gradcraft "
                  f"reads version {FORMAT_VERSION})")

    def _read_companion(self, raw_meta: dict) -> bool:
        """Read the companion the model file names; False if a save replaced the model file
        meanwhile (read the pair again); ValueError if the pair is broken."""
        save_id, name = raw_meta.get("save_id"), str(raw_meta["companion"])
        if Path(name).name != name or name in (".", ".."):
            self.fail(f"names its companion file {name!r}, which is not a file name beside it")
        companion = self.path.parent / name
        try:
            tensors, companion_meta = read_safetensors(companion, "companion")
        except FileNotFoundError:
            problem = (f"its companion file {companion.name} (optimizer state and extra tensors) "
                       "is missing; copy or move a model file together with its companion")
        else:
            if companion_meta.get("format") == COMPANION_FORMAT and companion_meta.get("save_id") == save_id:
                self.companion, self._companion_tensors = companion, tensors
                if "optimizer" in companion_meta:
                    self.optimizer = json_field(companion, companion_meta, "optimizer", "{}")
                return True
            problem = (f"its companion file {companion.name} belongs to another save (save id "
                       f"{companion_meta.get('save_id')!r}, the model file's is {save_id!r})")
        if read_header(self.path).get("save_id") != save_id:
            return False  # a new pair was written while we read: read that one
        self.fail(problem + "; nothing was loaded")

    def extra_tensors(self, prefix: str = "") -> dict:
        """{name without `prefix`: array} of the extra tensors whose names start with `prefix`."""
        return {name[len(prefix):]: array for name, array in self._companion_tensors.items()
                if name.startswith(prefix) and not name.startswith(RESERVED)}

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
        saved = dict(self.tensors)
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
                          f"{len(shapes)} parameter{'s' if len(shapes) != 1 else ''}")
            entries = dict(saved.get("state", {}).get(index, {}))
            for array_name in arrays.get(index, []):
                key = f"{OPT_STATE}{position}.{array_name}"
                if key not in self._companion_tensors:
                    self.fail(f"optimizer state tensor {key!r} is missing")
                value = self._companion_tensors[key]
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
    """Restore `model` (and `optimizer`) from a file written by `save`; return its metadata.

    Nothing is changed unless everything read is valid and fits: otherwise ValueError (naming
    the path and every mismatch) and model and optimizer keep their state. A missing file raises
    FileNotFoundError. Without `optimizer`, only the model file is read (its companion, with the
    optimizer state and extra tensors such as a training checkpoint's EarlyStopping best
    weights, is not needed): the model gets the weights the file was saved with. Float tensors
    of another float dtype are cast: weights to the model's dtype, optimizer state to its
    parameter's (a float64 checkpoint loads into a float32 model, and vice versa).
    """
    return Checkpoint(Path(path), companion=optimizer is not None).load_into(model, optimizer)


def load_metadata(path) -> dict:
    """The user metadata of a model file (e.g. to rebuild the model before `load`)."""
    return Checkpoint(Path(path), companion=False).metadata


def read_checkpoint(path) -> Checkpoint:
    """Read and check the model file `path` and its companion once (ValueError if either is not
    complete, or they are not one save's); nothing is loaded anywhere until `load_into`."""
    return Checkpoint(Path(path))


def companion_path(path) -> Path | None:
    """The companion file of the model file `path` (None if it was saved without optimizer and
    extra tensors): copy or move it together with the model file."""
    path = Path(path)
    name = read_header(path).get("companion")
    return None if not name else path.parent / name
