"""The embedded default's shared cache: Django's file cache, culled without listing its folder
on every write.

Django's FileBasedCache lists every file of its folder on each `set()` to decide whether to
cull. After a 1,000-portal fleet build the folder holds ~5,000 entries, and that listing was two
thirds of provisioning a portal (a provision writes nine entries, ~6 ms each: 73 ms p50 in the
benchmark, 30 ms without) and a cost on every request that writes the cache. Here a process checks the count only on every CULL_CHECK_EVERY-th write
(default 100); between checks the folder may grow past MAX_ENTRIES by at most that many entries
per process, and a check culls as Django does (a random 1/CULL_FREQUENCY of the entries).

Only for the embedded set-up: production runs on Redis (settings refuse to start without it).
"""

from __future__ import annotations

from django.core.cache.backends.filebased import FileBasedCache


class SparselyCulledFileBasedCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        options = params.get("OPTIONS", {})
        self._cull_check_every = max(1, int(options.get("CULL_CHECK_EVERY", 100)))
        self._writes = 0

    def _cull(self):
        self._writes += 1
        if (self._writes - 1) % self._cull_check_every == 0:  # the first write, then every n-th
            super()._cull()
