"""PyTorch's MNIST example runs on gradcraft with only its import and data-loading lines changed.

examples/pytorch_mnist/main_torch.py is pytorch/examples' mnist/main.py verbatim (with its
licence); main.py beside it is the gradcraft port. The tests here:

- diff the two files and require every differing line to be one of the *allowed* lines below
  (anything else, a changed layer, optimizer, loss or print, fails the test);
- run the port end to end on a tiny MNIST written here (one batch, `--dry-run`), always;
- train it for one epoch on the real MNIST from $GRADCRAFT_DATA (skipped, naming the variable,
  when it is unset) and read the test accuracy from the script's own "Test set:" line (about
  100 s on two quiet cores; PyTorch's original takes about 55 s);
- take four training steps from the same weights as PyTorch's original model, loss for loss.

Allowed lines, in either file, each a whole statement (all its lines) found with `ast`:
1. the leading comment block (attribution and licence);
2. module-level `import` / `from ... import` statements;
3. statements directly in `main()` that assign only the data-loading names `DATA_NAMES`
   (the original's `transform = transforms.Compose(...)` and `dataset1/2 = datasets.MNIST(...)`,
   the port's `transform`, `mnist`, `dataset1`, `dataset2`);
4. `parser.add_argument(...)` calls in `main()` for the data-loading options `DATA_OPTIONS`
   (the port's `--data-dir`).
"""

from __future__ import annotations

import ast
import difflib
import gzip
import os
import re
import runpy
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).parents[2] / "examples" / "pytorch_mnist"
ORIGINAL, PORT = EXAMPLE / "main_torch.py", EXAMPLE / "main.py"

DATA_NAMES = {"transform", "mnist", "dataset1", "dataset2"}
DATA_OPTIONS = {"--data-dir"}

TEST_LINE = re.compile(r"Test set: Average loss: (\d+\.\d+), Accuracy: (\d+)/(\d+) \((\d+)%\)")


# ----------------------------------------------------------------------------- the diff
def _span(node: ast.stmt) -> set[int]:
    """The 1-based line numbers a statement occupies."""
    return set(range(node.lineno, node.end_lineno + 1))


def _is_data_option(node: ast.stmt) -> bool:
    call = node.value if isinstance(node, ast.Expr) else None
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "add_argument" and bool(call.args)
            and isinstance(call.args[0], ast.Constant) and call.args[0].value in DATA_OPTIONS)


def allowed_lines(source: str) -> set[int]:
    """The line numbers of `source` that may differ between the original and the port."""
    tree = ast.parse(source)
    first_statement = tree.body[0].lineno
    allowed = {n for n, line in enumerate(source.splitlines(), 1)
               if n < first_statement and (line.startswith("#") or not line.strip())}
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            allowed |= _span(node)
    main = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main")
    for node in main.body:
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id in DATA_NAMES
                                                for t in node.targets):
            allowed |= _span(node)
        elif _is_data_option(node):
            allowed |= _span(node)
    return allowed


def disallowed_changes(original: str, port: str) -> list[str]:
    """Every differing line that is not an allowed one, as 'original:N: text' / 'port:N: text'."""
    old, new = original.splitlines(), port.splitlines()
    old_allowed, new_allowed = allowed_lines(original), allowed_lines(port)
    problems = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        problems += [f"original:{i + 1}: {old[i]}" for i in range(i1, i2) if i + 1 not in old_allowed]
        problems += [f"port:{j + 1}: {new[j]}" for j in range(j1, j2) if j + 1 not in new_allowed]
    return problems


def test_the_port_differs_only_in_import_and_data_loading_lines():
    assert disallowed_changes(ORIGINAL.read_text(), PORT.read_text()) == []


def test_the_original_is_pytorchs_example_with_its_licence():
    original = ORIGINAL.read_text()
    assert "https://github.com/pytorch/examples/blob/" in original
    assert "# Copyright (c) 2017, Pytorch contributors" in original
    assert "# BSD 3-Clause License" in original
    assert "from torchvision import datasets, transforms" in original
    assert "    model = Net().to(device)\n    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)" in original


@pytest.mark.parametrize("old, new", [
    ("nn.Dropout(0.25)", "nn.Dropout(0.3)"),                              # a layer
    ("optim.Adadelta(model.parameters(), lr=args.lr)", "optim.Adam(model.parameters())"),
    ("        optimizer.zero_grad()\n", ""),                              # a training line removed
    ("    dataset1 = transform", "    x = 1\n    dataset1 = transform"),  # a statement among the data lines
    ("import argparse\n", "import argparse\nprint('hi')\n"),              # code among the imports
    ("train_kwargs = {'batch_size': args.batch_size}", "train_kwargs = {'batch_size': 128}"),
])
def test_the_diff_check_catches_a_changed_model_or_training_line(old, new):
    port = PORT.read_text()
    assert port.count(old) == 1
    assert disallowed_changes(ORIGINAL.read_text(), port.replace(old, new)) != []


# ----------------------------------------------------------------------------- running it
def _write_tiny_mnist(directory: Path, rng: np.random.Generator) -> None:
    """The four IDX .gz files (format: 0 0 8 ndim, big-endian uint32 sizes, uint8 data)."""
    directory.mkdir(parents=True)
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (70, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 70, dtype=np.uint8),
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (30, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 30, dtype=np.uint8)}
    for name, array in arrays.items():
        header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
        (directory / name).write_bytes(gzip.compress(header + array.tobytes()))


def _run_port(tmp_path: Path, *arguments: str, timeout: float) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "GRADCRAFT_DATA"}
    return subprocess.run([sys.executable, str(PORT), *arguments], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def test_the_port_runs_a_dry_run_and_saves_pytorchs_state_dict_names(tmp_path):
    _write_tiny_mnist(tmp_path / "data" / "mnist", np.random.default_rng(0))
    result = _run_port(tmp_path, "--data-dir", str(tmp_path / "data"), "--dry-run",
                       "--test-batch-size", "10", "--save-model", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Train Epoch: 1 [0/70 (0%)]\tLoss: " in result.stdout
    match = TEST_LINE.search(result.stdout)
    assert match is not None and match.group(3) == "30", result.stdout
    from safetensors.numpy import load_file

    state = load_file(tmp_path / "mnist_cnn.pt")
    assert {name: array.shape for name, array in state.items()} == {
        "conv1.weight": (32, 1, 3, 3), "conv1.bias": (32,), "conv2.weight": (64, 32, 3, 3),
        "conv2.bias": (64,), "fc1.weight": (128, 9216), "fc1.bias": (128,),
        "fc2.weight": (10, 128), "fc2.bias": (10,)}


def test_one_epoch_of_the_port_reaches_97_5_percent_on_real_mnist(tmp_path, mnist_root):
    root = mnist_root
    start = time.perf_counter()
    result = _run_port(tmp_path, "--data-dir", str(root), "--epochs", "1", timeout=3600)
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    match = TEST_LINE.search(result.stdout)
    assert match is not None, result.stdout[-2000:]
    correct, total = int(match.group(2)), int(match.group(3))
    assert total == 10000
    # One epoch of the unchanged script (seed 1, unshuffled as on a CPU): the port reaches 97.95%
    # (loss 0.062), and 98.58 / 98.40 / 98.37% with --seed 2 / 3 / 4; PyTorch's original 98.31 /
    # 98.42 / 98.40% with seeds 1 / 2 / 3. The random draws differ (weights, dropout masks:
    # NumPy's generator, not torch's), the arithmetic does not (the step-by-step test below): the
    # script's own default seed is a low draw, so the bar is 97.5%, below every run measured.
    assert correct / total >= 0.975, f"{match.group(0)} after one epoch ({elapsed:.0f} s)"


def test_the_ports_training_steps_are_torchs_from_the_same_weights():
    """The port's Net, F.nll_loss and optim.Adadelta take the same steps as PyTorch's (float32,
    dropout off so that no random mask differs): the loss of each step agrees."""
    import torch

    import gradcraft as gc

    port = runpy.run_path(str(PORT))  # defines Net (main() runs only as __main__)
    torch.manual_seed(0)
    theirs = _TorchNet()
    mine = port["Net"]()
    mine.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})
    mine.dropout1.p = mine.dropout2.p = theirs.dropout1.p = theirs.dropout2.p = 0.0
    their_optimizer = torch.optim.Adadelta(theirs.parameters(), lr=1.0)
    my_optimizer = port["optim"].Adadelta(mine.parameters(), lr=1.0)
    rng = np.random.default_rng(0)
    for _ in range(4):
        images = rng.standard_normal((16, 1, 28, 28)).astype(np.float32)
        labels = rng.integers(0, 10, 16)
        their_optimizer.zero_grad()
        their_loss = torch.nn.functional.nll_loss(theirs(torch.tensor(images)), torch.tensor(labels))
        their_loss.backward()
        their_optimizer.step()
        my_optimizer.zero_grad()
        my_loss = port["F"].nll_loss(mine(gc.tensor(images)), gc.tensor(labels))
        my_loss.backward()
        my_optimizer.step()
        assert my_loss.item() == pytest.approx(their_loss.item(), rel=1e-4)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(mine.state_dict()[name], value.numpy(), rtol=1e-3, atol=1e-5, err_msg=name)


def _TorchNet():  # noqa: N802 - the original's Net, built without importing torchvision
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = torch.nn.Conv2d(1, 32, 3, 1), torch.nn.Conv2d(32, 64, 3, 1)
            self.dropout1, self.dropout2 = torch.nn.Dropout(0.25), torch.nn.Dropout(0.5)
            self.fc1, self.fc2 = torch.nn.Linear(9216, 128), torch.nn.Linear(128, 10)

        def forward(self, x):
            F = torch.nn.functional
            x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
            x = self.dropout2(F.relu(self.fc1(torch.flatten(self.dropout1(x), 1))))
            return F.log_softmax(self.fc2(x), dim=1)

    return Net()
