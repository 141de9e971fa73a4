"""The two files of a save: names, constants and raw reading (headers, tensors)."""

from __future__ import annotations

import json
from pathlib import Path

import safetensors.numpy

FORMAT = "gradcraft"
COMPANION_FORMAT = "gradcraft-companion"
FORMAT_VERSION = 2
OPT_STATE = "optimizer.state."
RESERVED = ("optimizer.",)  # extra tensors may not use this prefix (the optimizer's)
COMPANION_SUFFIX = ".state.safetensors"
SAVE_ID_HEX = 16
READ_ATTEMPTS = 3  # a save may replace the pair while it is read: read it again, at most this often


def base_name(path: Path) -> str:
    """The model file's name without its .safetensors suffix; its companions are named
    <base>.<save id>.state.safetensors."""
    return path.name[:-len(".safetensors")] if path.name.endswith(".safetensors") else path.name


def read_header(path: Path) -> dict:
    """The string metadata of a safetensors file, read from its header alone; {} if unreadable."""
    try:
        with open(path, "rb") as file:
            size = int.from_bytes(file.read(8), "little")
            if not 0 < size <= 100_000_000:
                return {}
            return json.loads(file.read(size)).get("__metadata__") or {}
    except (OSError, ValueError, AttributeError):
        return {}


def read_safetensors(path: Path, what: str) -> tuple[dict, dict]:
    """(tensors, string metadata) of the safetensors file `path`; ValueError if it is not one."""
    if not path.is_file():
        if path.exists():
            raise ValueError(f"{path} is not a file")
        raise FileNotFoundError(f"{what} file not found: {path}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {what} {path}: {error}") from None
    try:
        tensors = safetensors.numpy.load(data)
        header_size = int.from_bytes(data[:8], "little")
        raw_meta = json.loads(data[8:8 + header_size]).get("__metadata__") or {}
    except Exception as error:  # noqa: BLE001 - SafetensorError, JSON errors: all mean corrupt
        raise ValueError(f"{path}: not a valid safetensors file ({len(data)} bytes; truncated or "
                         f"corrupt?): {error}") from None
    return tensors, raw_meta


def json_field(path: Path, raw_meta: dict, key: str, default: str):
    try:
        return json.loads(raw_meta.get(key, default))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: corrupt JSON metadata in the checkpoint ({key}): {error}") from None
