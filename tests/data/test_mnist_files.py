"""MNIST / Fashion-MNIST loading from small IDX files written by the tests, and its errors."""

import gzip
import struct

import numpy as np
import pytest

from gradcraft.data import load_dataset, load_mnist, read_idx, write_idx


def test_loads_the_four_files_from_root_slash_mnist(tmp_path, small_mnist, write_mnist):
    write_mnist(tmp_path / "mnist", small_mnist)
    raw = load_mnist(tmp_path)
    for key, expected in small_mnist.items():
        np.testing.assert_array_equal(raw[key], expected)
        assert raw[key].dtype == np.uint8


def test_load_dataset_scales_to_unit_range_in_nchw(tmp_path, small_mnist, write_mnist):
    write_mnist(tmp_path / "mnist", small_mnist)
    data = load_dataset("mnist", root=tmp_path)
    x, y = data.train.arrays
    assert x.shape == (7, 1, 28, 28) and x.dtype == np.float32
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, [5, 0, 4, 1, 9, 2, 1])
    # 255 -> 1, 51 -> 0.2, 0 -> 0 (as float32 divisions by 255)
    assert x[0, 0, 0, 0] == np.float32(1.0)
    assert x[0, 0, 0, 1] == np.float32(51) / np.float32(255)
    assert x[0, 0, 0, 2] == 0.0
    np.testing.assert_array_equal(x[3, 0], small_mnist["train_images"][3] / np.float32(255))
    tx, ty = data.test.arrays
    assert tx.shape == (3, 1, 28, 28)
    np.testing.assert_array_equal(ty, [7, 2, 1])
    assert data.val is None
    assert data.num_classes == 10 and data.input_shape == (1, 28, 28)
    assert data.class_names[3] == "3" and data.name == "mnist"


def test_fashion_mnist_folder_and_class_names(tmp_path, small_mnist, write_mnist):
    write_mnist(tmp_path / "fashion-mnist", small_mnist)
    data = load_dataset("fashion-mnist", root=tmp_path)
    assert len(data.train) == 7
    assert data.class_names[0] == "T-shirt/top" and data.class_names[9] == "Ankle boot"
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        load_dataset("mnist", root=tmp_path)  # the mnist/ folder is not there


def test_torchvision_layout_and_uncompressed_files(tmp_path, small_mnist, write_mnist):
    write_mnist(tmp_path / "MNIST" / "raw", small_mnist, compress=False)
    raw = load_mnist(tmp_path)
    np.testing.assert_array_equal(raw["test_images"], small_mnist["test_images"])


def test_root_from_environment_variable(tmp_path, small_mnist, write_mnist, monkeypatch):
    write_mnist(tmp_path / "mnist", small_mnist)
    monkeypatch.setenv("GRADCRAFT_DATA", str(tmp_path))
    assert len(load_dataset("mnist").test) == 3


def test_no_root_tells_how_to_give_one(monkeypatch):
    monkeypatch.delenv("GRADCRAFT_DATA", raising=False)
    with pytest.raises(ValueError) as error:
        load_dataset("mnist")
    message = str(error.value)
    for part in ("--data-dir", "root=", "GRADCRAFT_DATA", "t10k-labels-idx1-ubyte.gz"):
        assert part in message


def test_missing_file_is_named(tmp_path, small_mnist, write_mnist):
    directory = write_mnist(tmp_path / "mnist", small_mnist)
    (directory / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ValueError, match=r"Missing in .*mnist: t10k-labels-idx1-ubyte\.gz"):
        load_mnist(tmp_path)


def test_missing_directory_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"data directory .*nowhere does not exist"):
        load_dataset("mnist", root=tmp_path / "nowhere")


def test_truncated_gzip_is_reported(tmp_path, small_mnist, write_mnist):
    directory = write_mnist(tmp_path / "mnist", small_mnist)
    path = directory / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz: not a complete gzip file"):
        load_mnist(tmp_path)


def test_truncated_idx_data_is_reported(tmp_path, small_mnist, write_mnist):
    directory = write_mnist(tmp_path / "mnist", small_mnist)
    path = directory / "train-images-idx3-ubyte.gz"
    content = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(content[:-100]))
    expected_bytes = 7 * 28 * 28
    with pytest.raises(ValueError, match=rf"truncated: header says shape \(7, 28, 28\) "
                                         rf"\({expected_bytes} bytes of data\), "
                                         rf"found {expected_bytes - 100} bytes"):
        load_mnist(tmp_path)


def test_wrong_magic_is_reported(tmp_path, small_mnist, write_mnist):
    directory = write_mnist(tmp_path / "mnist", small_mnist)
    (directory / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"PK\x03\x04" + bytes(100)))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz: not an IDX file "
                                         r"\(magic number 0x504b0304"):
        load_mnist(tmp_path)


def test_swapped_files_are_reported(tmp_path, small_mnist, write_mnist):
    directory = write_mnist(tmp_path / "mnist", small_mnist)
    images = directory / "train-images-idx3-ubyte.gz"
    labels = directory / "train-labels-idx1-ubyte.gz"
    image_bytes, label_bytes = images.read_bytes(), labels.read_bytes()
    images.write_bytes(label_bytes)
    labels.write_bytes(image_bytes)
    with pytest.raises(ValueError, match="expected an IDX file with 3 dimension.*got 1.*swapped"):
        load_mnist(tmp_path)


def test_inconsistent_counts_and_bad_labels_are_reported(tmp_path, small_mnist, write_mnist):
    short = dict(small_mnist, test_labels=np.array([7, 2], dtype=np.uint8))
    write_mnist(tmp_path / "a" / "mnist", short)
    with pytest.raises(ValueError, match="mnist test: 3 images but 2 labels"):
        load_mnist(tmp_path / "a")
    bad = dict(small_mnist, test_labels=np.array([7, 12, 1], dtype=np.uint8))
    write_mnist(tmp_path / "b" / "mnist", bad)
    with pytest.raises(ValueError, match="labels must lie in 0..9, found 12"):
        load_mnist(tmp_path / "b")
    wrong_size = dict(small_mnist, test_images=np.zeros((3, 32, 32), dtype=np.uint8))
    write_mnist(tmp_path / "c" / "mnist", wrong_size)
    with pytest.raises(ValueError, match=r"28x28 pixels, got shape \(3, 32, 32\)"):
        load_mnist(tmp_path / "c")


def test_read_idx_other_element_types(tmp_path):
    # int16, big-endian, shape (2, 3): type code 0x0B, hand-packed
    values = [[1, -2, 300], [-32768, 0, 32767]]
    content = bytes([0, 0, 0x0B, 2]) + struct.pack(">2I", 2, 3) + struct.pack(">6h", *sum(values, []))
    path = tmp_path / "x.idx"
    path.write_bytes(content)
    array = read_idx(path)
    assert array.dtype == np.int16 and array.dtype.isnative
    np.testing.assert_array_equal(array, values)


def test_write_idx_produces_the_hand_packed_bytes(tmp_path):
    labels = np.array([3, 1, 4], dtype=np.uint8)
    write_idx(tmp_path / "labels.gz", labels)
    expected = bytes([0, 0, 8, 1]) + struct.pack(">I", 3) + bytes([3, 1, 4])
    assert gzip.decompress((tmp_path / "labels.gz").read_bytes()) == expected
    floats = np.array([[0.5, -1.0]], dtype=np.float64)
    write_idx(tmp_path / "f.idx", floats)
    assert (tmp_path / "f.idx").read_bytes() == (
        bytes([0, 0, 0x0E, 2]) + struct.pack(">2I", 1, 2) + struct.pack(">2d", 0.5, -1.0))
    with pytest.raises(ValueError, match="dtype complex128 has no IDX type code"):
        write_idx(tmp_path / "c.idx", np.zeros(2, dtype=complex))


def test_a_file_given_as_data_directory_is_named_as_a_file(tmp_path):
    (tmp_path / "passwd").write_text("not a dataset")
    with pytest.raises(ValueError, match=r"data directory .*passwd is a file, not a directory"):
        load_dataset("mnist", root=tmp_path / "passwd")
