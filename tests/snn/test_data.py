"""Data: Poisson rates within 5 standard errors, dithering by hand, data sets, SHD round trip."""

import numpy as np
import pytest

from stochad.snn.data import SpikeDataset, dither, load_shd, poisson_spikes, synthetic_shd


# -- Poisson --------------------------------------------------------------------------
def test_poisson_rates_within_five_standard_errors():
    rates = np.array([5.0, 20.0, 50.0, 200.0])
    dt, T, batch = 1e-3, 500, 40
    S = poisson_spikes(rates, T, 4, dt, np.random.default_rng(0), batch=batch)
    assert S.shape == (batch, T, 4) and set(np.unique(S)) <= {0.0, 1.0}
    p = rates * dt
    counts = S.sum(axis=(0, 1))  # Binomial(batch·T, p) per neuron
    se = np.sqrt(batch * T * p * (1 - p))
    assert np.all(np.abs(counts - batch * T * p) < 5 * se)


def test_poisson_is_frozen_under_a_seed_and_accepts_time_varying_rates():
    a = poisson_spikes(30.0, 50, 3, 1e-3, np.random.default_rng(1))
    b = poisson_spikes(30.0, 50, 3, 1e-3, np.random.default_rng(1))
    assert np.array_equal(a, b)
    ramp = np.where(np.arange(100)[:, None] < 50, 0.0, 1000.0)  # silent, then every bin
    S = poisson_spikes(ramp, 100, 2, 1e-3, np.random.default_rng(2))
    assert S[:50].sum() == 0 and S[50:].sum() == 100


def test_poisson_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"rate·dt must lie in \[0, 1\]"):
        poisson_spikes(2000.0, 10, 2, 1e-3, rng)
    with pytest.raises(ValueError, match="does not broadcast"):
        poisson_spikes(np.ones(3), 10, 2, 1e-3, rng)
    with pytest.raises(ValueError, match="T must be an integer"):
        poisson_spikes(1.0, 0, 2, 1e-3, rng)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        poisson_spikes(1.0, 10, 2, 1e-3, 0)


# -- dithering ------------------------------------------------------------------------
def test_dither_two_by_two_by_hand():
    # pixel (0,0) 0.6 → 1, error −0.4: right gets −0.175, below-right −0.025, below −0.125
    # (0,1) 0.6 − 0.175 = 0.425 → 0, error 0.425: below-left +0.159375, below +0.133...
    # (1,0) 0.3 − 0.125 + 0.159375 = 0.334375 → 0, error to the right ×7/16
    # (1,1) 0.8 − 0.025 + 0.425·5/16 + 0.334375·7/16 = 1.05410… → 1
    image = np.array([[0.6, 0.6], [0.3, 0.8]])
    raster = dither(image)
    assert raster.shape == (2, 2)  # (T, n) = (width, height)
    assert raster.T.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_dither_density_follows_intensity_and_rows_are_neurons():
    # a horizontal gradient: column t has intensity t/99, so time step t spikes at that rate
    image = np.tile(np.linspace(0.0, 1.0, 100), (60, 1))
    raster = dither(image)
    assert raster.shape == (100, 60)
    by_time = raster.mean(axis=1)
    for t in (10, 30, 50, 70, 90):
        window = by_time[t - 5 : t + 5].mean()
        assert window == pytest.approx(t / 99, abs=0.05)


def test_dither_integer_and_inverted_images():
    white = np.full((3, 4), 255, dtype=np.uint8)
    assert dither(white).sum() == 12
    assert dither(white, invert=True).sum() == 0
    assert dither(np.eye(3, dtype=bool)).T.tolist() == np.eye(3).tolist()


def test_dither_bad_input():
    with pytest.raises(ValueError, match="2-d"):
        dither(np.zeros(5))
    with pytest.raises(ValueError, match=r"float image must lie in \[0, 1\]"):
        dither(np.full((2, 2), 3.0))


# -- data sets ------------------------------------------------------------------------
def small_dataset():
    events = [([0, 1, 1], [2, 0, 0]), ([], []), ([3], [1])]
    return SpikeDataset.from_events(events, [1, 0, 1], n_steps=4, n_units=3, dt=1e-3)


def test_dataset_dense_and_batches():
    ds = small_dataset()
    X = ds.dense()
    assert X.shape == (3, 4, 3) == ds.shape
    assert X[0, 0, 2] == 1 and X[0, 1, 0] == 1 and X[0].sum() == 2  # a repeated event counts once
    assert X[1].sum() == 0 and X[2, 3, 1] == 1
    seen = np.concatenate([y for _, y in ds.batches(2, rng=np.random.default_rng(0))])
    assert sorted(seen.tolist()) == [0, 1, 1]
    assert [len(y) for _, y in ds.batches(2, drop_last=True)] == [2]
    sub = ds.subset([2, 0])
    assert np.array_equal(sub.dense(), X[[2, 0]]) and sub.labels.tolist() == [1, 1]


def test_dataset_validates_events():
    with pytest.raises(ValueError, match="event steps must lie"):
        SpikeDataset.from_events([([4], [0])], [0], n_steps=4, n_units=3, dt=1e-3)
    with pytest.raises(ValueError, match="2 samples but 1 labels"):
        SpikeDataset.from_events([([0], [0])] * 2, [0], n_steps=4, n_units=3, dt=1e-3)


def test_synthetic_shd_shape_statistics_and_seed():
    ds = synthetic_shd(200, rng=np.random.default_rng(0), n_units=50, n_steps=100, n_classes=5)
    again = synthetic_shd(200, rng=np.random.default_rng(0), n_units=50, n_steps=100, n_classes=5)
    assert np.array_equal(ds.steps, again.steps) and np.array_equal(ds.labels, again.labels)
    assert ds.shape == (200, 100, 50) and ds.n_classes == 5
    assert np.bincount(ds.labels).tolist() == [40] * 5
    X = ds.dense()
    assert np.all(X.sum(axis=1) == 1)  # one spike per unit and sample
    assert ds.steps.min() >= 0 and ds.steps.max() <= 99


def test_synthetic_shd_classes_are_told_apart_by_timing():
    # nearest neighbour of the spike-time vectors: the classes are separate manifolds
    # (curved ones: a class's mean time vector is a much worse prototype)
    ds = synthetic_shd(400, rng=np.random.default_rng(1), n_units=40, n_steps=100, n_classes=10)
    times = np.stack([ds.events(k)[0] for k in range(len(ds))]).astype(float)
    train, test = slice(0, 200), slice(200, 400)
    distance = ((times[test][:, None, :] - times[train][None]) ** 2).sum(axis=-1)
    accuracy = np.mean(ds.labels[train][distance.argmin(axis=1)] == ds.labels[test])
    assert accuracy > 0.9  # chance: 0.1


def test_synthetic_shd_defaults_have_shd_shape():
    ds = synthetic_shd(20, rng=np.random.default_rng(0))
    assert ds.shape == (20, 350, 700) and ds.n_classes == 20 and ds.dt == 2e-3


# -- SHD HDF5 loader ------------------------------------------------------------------
def write_shd(path, times, units, labels):
    """A file in SHD's layout: vlen spikes/times (s), spikes/units, labels."""
    h5py = pytest.importorskip("h5py", reason="the SHD loader needs h5py (stochad[hdf5])")
    with h5py.File(path, "w") as f:
        spikes = f.create_group("spikes")
        t = spikes.create_dataset("times", (len(times),), dtype=h5py.vlen_dtype(np.float32))
        u = spikes.create_dataset("units", (len(units),), dtype=h5py.vlen_dtype(np.uint16))
        for k in range(len(times)):
            t[k], u[k] = np.asarray(times[k], np.float32), np.asarray(units[k], np.uint16)
        f.create_dataset("labels", data=np.asarray(labels, np.uint16))
        f.create_group("extra").create_dataset("speaker", data=np.zeros(len(labels), np.uint16))


def test_load_shd_round_trip(tmp_path):
    path = tmp_path / "shd_small.h5"
    times = [[0.0005, 0.0031, 0.0032, 0.6905], [0.7005, 0.1], [0.0]]
    units = [[0, 5, 5, 699], [3, 700], [2]]
    write_shd(path, times, units, [7, 19, 0])
    ds = load_shd(path)  # dt 2 ms, 350 steps, 700 units
    assert ds.shape == (3, 350, 700) and ds.labels.tolist() == [7, 19, 0]
    X = ds.dense()
    assert X[0, 0, 0] == 1 and X[0, 1, 5] == 1 and X[0, 345, 699] == 1 and X[0].sum() == 3
    assert X[1].sum() == 0  # after 700 ms, and unit 700: dropped
    assert X[2, 0, 2] == 1
    coarse = load_shd(path, dt=10e-3, n_steps=10, max_samples=1)
    assert len(coarse) == 1 and coarse.dense()[0, 0, [0, 5]].tolist() == [1.0, 1.0]


def test_load_shd_rejects_other_layouts(tmp_path):
    h5py = pytest.importorskip("h5py", reason="the SHD loader needs h5py (stochad[hdf5])")
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("labels", data=np.zeros(2, np.uint16))
    with pytest.raises(KeyError, match="spikes/times"):
        load_shd(path)
