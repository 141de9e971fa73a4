"""Standardizer against scikit-learn's StandardScaler and PyTorch's reductions."""

import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler

import gradcraft as gc
from gradcraft.data import Standardizer, TensorDataset
from gradcraft.data import transforms


def test_per_feature_matches_sklearn_including_a_constant_column():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(200, 5))
    x[:, 2] = 7.0  # constant: sklearn divides it by 1
    reference = StandardScaler().fit(x)
    scaler = Standardizer(per="feature").fit(x)
    np.testing.assert_allclose(scaler.mean[0], reference.mean_, rtol=1e-12)
    np.testing.assert_allclose(scaler.std[0], reference.scale_, rtol=1e-12)
    np.testing.assert_allclose(scaler.transform(x), reference.transform(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(x)), x, rtol=1e-12)
    assert scaler.std[0, 2] == 1.0


def test_per_channel_matches_torch_reductions_on_nchw():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 3, 5, 4)).astype(np.float32) * np.array([1, 5, 0.1], np.float32)[:, None, None]
    scaler = Standardizer(per="channel").fit(x)
    t = torch.from_numpy(x).double()
    mean = t.mean(dim=(0, 2, 3), keepdim=True)
    std = t.std(dim=(0, 2, 3), keepdim=True, unbiased=False)
    assert scaler.mean.shape == (1, 3, 1, 1)
    np.testing.assert_allclose(scaler.mean, mean.numpy(), rtol=1e-10)
    np.testing.assert_allclose(scaler.std, std.numpy(), rtol=1e-10)
    z = scaler.transform(x)
    assert z.dtype == np.float32 and z.shape == x.shape
    np.testing.assert_allclose(z, ((t - mean) / std).numpy(), rtol=1e-5, atol=1e-5)


def test_global_statistics_and_integer_input():
    x = np.array([[0, 2], [4, 6]], dtype=np.uint8)  # mean 3, population std sqrt(5)
    scaler = Standardizer(per="global").fit(x)
    assert scaler.mean.shape == (1, 1) and scaler.mean.item() == 3.0
    assert scaler.std.item() == pytest.approx(np.sqrt(5.0), rel=1e-15)
    z = scaler.transform(x)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z, (x - 3.0) / np.sqrt(5.0), rtol=1e-6)


def test_chunked_fit_equals_one_pass(monkeypatch):
    rng = np.random.default_rng(2)
    x = rng.uniform(size=(101, 2, 3, 3)).astype(np.float32)
    expected = Standardizer().fit(x)
    monkeypatch.setattr(transforms, "_CHUNK_ELEMENTS", 40)  # two samples per chunk
    chunked = Standardizer().fit(x)
    np.testing.assert_allclose(chunked.mean, expected.mean, rtol=1e-12)
    np.testing.assert_allclose(chunked.std, expected.std, rtol=1e-12)
    t = torch.from_numpy(x).double()
    np.testing.assert_allclose(chunked.std.ravel(), t.std(dim=(0, 2, 3), unbiased=False).numpy(),
                               rtol=1e-10)


def test_state_round_trip_and_transform_dataset():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10, 2, 3, 3)).astype(np.float32)
    y = np.arange(10)
    scaler = Standardizer().fit(gc.tensor(x))
    state = scaler.state_dict()
    assert set(state) == {"mean", "std"} and state["mean"].shape == (1, 2, 1, 1)
    for name in ("mean", "std"):
        np.testing.assert_array_equal(scaler.state[name], state[name])
    restored = Standardizer.from_state_dict(state)
    assert restored.per == "channel"
    np.testing.assert_array_equal(restored.transform(x), scaler.transform(x))
    assert Standardizer.from_state_dict(Standardizer("feature").fit(x).state_dict()).per == "feature"
    standardised = scaler.transform_dataset(TensorDataset(x, y))
    np.testing.assert_array_equal(standardised.arrays[0], scaler.transform(x))
    np.testing.assert_array_equal(standardised.arrays[1], y)


def test_errors():
    x = np.zeros((4, 3, 2, 2), dtype=np.float32)
    with pytest.raises(ValueError, match="per must be one of"):
        Standardizer(per="pixel")
    with pytest.raises(RuntimeError, match="call fit"):
        Standardizer().transform(x)
    scaler = Standardizer().fit(x)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3, any, any\) .*got \(4, 1, 2, 2\)"):
        scaler.transform(np.zeros((4, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, \.\.\.\) .*got shape \(5,\)"):
        Standardizer().fit(np.zeros(5))
    with pytest.raises(ValueError, match="std must be positive"):
        Standardizer.from_state_dict({"mean": np.zeros((1, 2)), "std": np.zeros((1, 2))})
    with pytest.raises(ValueError, match=r"missing \['std'\]"):
        Standardizer.from_state_dict({"mean": np.zeros((1, 2))})
