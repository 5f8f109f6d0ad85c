"""The embedded shared cache stays bounded although it counts its entries on every hundredth
write only (tenants.filecache)."""

from __future__ import annotations

from pathlib import Path

from tenants.filecache import SparselyCulledFileBasedCache


def _cache(folder: Path, *, every: int) -> SparselyCulledFileBasedCache:
    return SparselyCulledFileBasedCache(
        str(folder),
        {"OPTIONS": {"MAX_ENTRIES": 20, "CULL_FREQUENCY": 2, "CULL_CHECK_EVERY": every}},
    )


def _entries(folder: Path) -> int:
    return len(list(folder.glob("*.djcache")))


def test_the_folder_is_culled_within_max_entries_plus_the_check_interval(tmp_path):
    cache = _cache(tmp_path / "sparse", every=10)
    for n in range(300):
        cache.set(f"key-{n}", n)
    assert 0 < _entries(tmp_path / "sparse") <= 20 + 10
    assert cache.get("key-299") == 299  # the newest write is kept


def test_without_culling_the_same_writes_would_fill_the_folder(tmp_path):
    # The positive control: 300 entries where the cache above kept at most 30.
    cache = _cache(tmp_path / "never", every=10_000)
    for n in range(300):
        cache.set(f"key-{n}", n)
    assert _entries(tmp_path / "never") == 300
