"""CIFAR-10 python batches written by the tests: the format, the NCHW layout, the safe unpickler."""

import pickle
import struct

import numpy as np
import pytest

from gradcraft.data import load_cifar10, load_dataset, read_cifar_batch

BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def _short_string(text) -> bytes:
    data = text.encode("latin1") if isinstance(text, str) else text
    return b"U" + bytes([len(data)]) + data  # SHORT_BINSTRING: a Python 2 str


def python2_batch_pickle(data: np.ndarray, labels) -> bytes:
    """The bytes Python 2's cPickle (protocol 2) writes for a CIFAR batch dict, opcode by opcode:
    str keys, numpy.core.multiarray._reconstruct for the array, its raw bytes as a py2 str."""
    rows, cols = data.shape
    array = (b"cnumpy.core.multiarray\n_reconstruct\n" + b"cnumpy\nndarray\n"
             + b"K\x00\x85" + _short_string("b") + b"\x87R"            # _reconstruct(ndarray, (0,), 'b')
             + b"(K\x01" + b"M" + struct.pack("<H", rows) + b"M" + struct.pack("<H", cols) + b"\x86"
             + b"cnumpy\ndtype\n" + _short_string("u1") + b"K\x00K\x01\x87R"  # dtype('u1', 0, 1)
             + b"(K\x03" + _short_string("|") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
             + b"\x89T" + struct.pack("<I", data.nbytes) + data.tobytes() + b"tb")
    label_list = b"](" + b"".join(b"K" + bytes([int(v)]) for v in labels) + b"e"
    return (b"\x80\x02}(" + _short_string("batch_label") + _short_string("training batch")
            + _short_string("data") + array + _short_string("labels") + label_list + b"u.")


def make_batch(rng, n):
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n).tolist()
    return data, labels


def write_cifar(directory, batches, python2=False, protocol=4):
    directory.mkdir(parents=True, exist_ok=True)
    for name, (data, labels) in zip(BATCHES, batches):
        if python2:
            content = python2_batch_pickle(data, labels)
        else:
            content = pickle.dumps({b"batch_label": b"x", b"labels": labels, b"data": data,
                                    b"filenames": [b"a.png"] * len(labels)}, protocol=protocol)
        (directory / name).write_bytes(content)
    return directory


@pytest.fixture
def batches():
    rng = np.random.default_rng(0)
    return [make_batch(rng, n) for n in (4, 3, 2, 3, 1, 5)]


@pytest.mark.parametrize("python2, protocol", [(True, 2), (False, 2), (False, 4)])
def test_loads_all_batches_in_order(tmp_path, batches, python2, protocol):
    write_cifar(tmp_path / "cifar-10-batches-py", batches, python2=python2, protocol=protocol)
    raw = load_cifar10(tmp_path)
    assert raw["train_images"].shape == (13, 3, 32, 32)
    assert raw["train_images"].dtype == np.uint8
    expected_rows = np.concatenate([data for data, _ in batches[:5]])
    np.testing.assert_array_equal(raw["train_images"].reshape(13, -1), expected_rows)
    np.testing.assert_array_equal(raw["train_labels"], sum((lab for _, lab in batches[:5]), []))
    np.testing.assert_array_equal(raw["test_labels"], batches[5][1])
    assert raw["test_images"].shape == (5, 3, 32, 32)


def test_row_layout_is_red_green_blue_planes(tmp_path):
    # One image: red plane all 10, green 20, blue = 0..1023 row-major.
    row = np.concatenate([np.full(1024, 10), np.full(1024, 20), np.arange(1024) % 256])
    data = row.astype(np.uint8)[None, :]
    path = tmp_path / "b"
    path.write_bytes(python2_batch_pickle(data, [6]))
    images, labels = read_cifar_batch(path)
    assert images.shape == (1, 3, 32, 32) and labels.tolist() == [6]
    assert (images[0, 0] == 10).all() and (images[0, 1] == 20).all()
    assert images[0, 2, 0, 5] == 5 and images[0, 2, 1, 0] == 32 and images[0, 2, 7, 31] == 255


def test_load_dataset_cifar10_scaling_and_metadata(tmp_path, batches):
    batches[0][0][0, :3] = [255, 51, 0]
    write_cifar(tmp_path / "cifar-10-batches-py", batches)
    data = load_dataset("cifar10", root=tmp_path)
    x, y = data.train.arrays
    assert x.shape == (13, 3, 32, 32) and x.dtype == np.float32 and y.dtype == np.int64
    assert x[0, 0, 0, 0] == 1.0 and x[0, 0, 0, 1] == np.float32(0.2) and x[0, 0, 0, 2] == 0.0
    assert data.input_shape == (3, 32, 32) and data.num_classes == 10
    assert data.class_names[0] == "airplane" and data.class_names[9] == "truck"
    assert load_dataset("cifar-10", root=tmp_path).name == "cifar10"


def test_missing_batch_is_named(tmp_path, batches):
    directory = write_cifar(tmp_path / "cifar-10-batches-py", batches)
    (directory / "data_batch_3").unlink()
    with pytest.raises(ValueError, match=r"data_batch_1, .*test_batch.*Missing in .*: data_batch_3"):
        load_dataset("cifar10", root=tmp_path)


def test_truncated_batch_is_reported(tmp_path, batches):
    directory = write_cifar(tmp_path / "cifar-10-batches-py", batches)
    path = directory / "data_batch_2"
    path.write_bytes(path.read_bytes()[:-50])
    with pytest.raises(ValueError, match=r"data_batch_2: not a readable CIFAR python batch"):
        load_cifar10(tmp_path)


def test_wrong_contents_are_reported(tmp_path):
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}))
    with pytest.raises(ValueError, match=r"'data' must be a uint8 array \(N, 3072\), got uint8 "
                                         r"array of shape \(2, 100\)"):
        read_cifar_batch(path)
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}))
    with pytest.raises(ValueError, match="'labels' must be 2 integers"):
        read_cifar_batch(path)
    path.write_bytes(pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"labels": [10]}))
    with pytest.raises(ValueError, match="labels must lie in 0..9"):
        read_cifar_batch(path)
    path.write_bytes(pickle.dumps({b"labels": [1]}))
    with pytest.raises(ValueError, match="needs keys 'data' and 'labels'"):
        read_cifar_batch(path)


class RunsCode:
    """What a malicious pickle does: call an arbitrary function while loading."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(self.target),))


def test_pickles_that_run_code_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": RunsCode(marker), b"labels": [1]}, protocol=2))
    with pytest.raises(ValueError, match=r"data_batch_1: refusing to load .*not loaded"):
        read_cifar_batch(path)
    assert not marker.exists()
    # The same bytes really do run code under plain pickle: the test's attack is real.
    pickle.loads(path.read_bytes())
    assert marker.exists()
