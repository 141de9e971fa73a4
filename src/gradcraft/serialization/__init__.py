"""Model files: `save(model, path, optimizer=None, metadata=None, extra_tensors=None)` and
`load(model, path, optimizer=None)`; `read_checkpoint(path)` reads a file once for callers that
need more than the weights (the training loop's resume: metadata and extra tensors too).

Format version 2 (safetensors; no pickle: loading a file never runs code from it). The tensor
table of a model file is exactly the model's state dict, under its own names (`0.weight`,
`0.bias`, ...), so the file loads into the equivalent PyTorch module as it is, strictly:

    torch_module.load_state_dict(safetensors.torch.load_file(path))

and a PyTorch state dict written by `safetensors.torch.save_file` loads with `load`. What is not
the model's lives where a strict torch load does not look:

Model file, string metadata (the safetensors header's "__metadata__"; torch ignores it):
    format          "gradcraft"
    format_version  "2"
    save_id         16 hex digits, new at every save
    metadata        JSON: the user's metadata dict (epoch, architecture, class names...)
    companion       only when saved with optimizer= or extra_tensors=: the file name of its
                    companion, in the same directory

Companion file `<name>.<save_id>.state.safetensors` (`<name>`: the model file's name without
its .safetensors suffix):
    tensors         optimizer.state.<param index>.<name>   every array of optimizer.state_dict()
                    <any other name>                       `extra_tensors`, under their own
                                                           names (fit's checkpoints: callback
                                                           arrays, callbacks.<i>.<name>)
    metadata        format "gradcraft-companion", format_version "2", save_id (the model
                    file's), model_file (its name), and, when saved with an optimizer,
                    optimizer: JSON {"class": "Adam",
                                     "param_groups": [{hyper-parameters..., "params": [indices]}],
                                     "state": {index: {name: number}}  (e.g. Adam's step),
                                     "state_arrays": {index: [names]}} (the tensors to expect)

Copy or move a model file together with its companion (`companion_path(path)` names it).

Writing is crash-safe at every instant: the companion is written first (under a name no other
save uses), then the model file is replaced atomically (a temporary file beside it, flushed to
disk, renamed over it), and only then are the older companions of that path deleted. A companion
never changes once written and the model file names its own, so a crash, or a reader, sees the
old consistent pair or the new one. (Two processes saving to one path at the same time are not
coordinated: the last one wins, as with any file.)

Loading validates everything first -- both files are complete safetensors of this format, the
companion carries the model file's save id, the keys, shapes and dtypes fit `model.state_dict()`,
the optimizer class and parameter-group layout match -- and only then calls
`model.load_state_dict` / `optimizer.load_state_dict`: a bad file raises a ValueError naming the
path and the problem, and leaves model and optimizer unchanged. Loading weights alone (no
optimizer=, `load_metadata`) reads only the model file.

Dtypes follow the model, as in PyTorch (`load_state_dict` copies into the existing parameters):
a floating-point tensor of another float dtype (a float64 checkpoint, a float32 model) is cast
to the model's dtype, and the optimizer state to its parameter's dtype. Any other dtype
difference (integer or bool against float, int32 against int64) is refused: a cast there would
round or reinterpret values silently.

A safetensors file without gradcraft's metadata is read as a plain state dict. Files of format
version 1 (earlier gradcraft: every tensor in one file, the weights named model.<key>) are
refused with a clear error; `upgrade(path)` rewrites one as format 2.
"""

from .atomic import write_atomically
from .files import FORMAT_VERSION
from .reading import Checkpoint, companion_path, load, load_metadata, read_checkpoint
from .writing import save, upgrade

__all__ = ["save", "load", "load_metadata", "read_checkpoint", "Checkpoint", "companion_path",
           "upgrade", "write_atomically", "FORMAT_VERSION"]
