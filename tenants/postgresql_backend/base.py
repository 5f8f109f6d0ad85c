"""django-tenants' PostgreSQL backend, issuing `SET search_path` only when it would change.

Upstream forgets the search path the server holds on every `set_tenant()`. The routing
middleware calls it three times a request (public, the portal, public again), so every request
paid one `SET search_path` round trip before its first statement, even when the connection
already pointed at that portal: the one statement a routed page had over the same page with
tenancy bypassed (bench/routing.py). Here the connection remembers what the server holds and
skips the statement when the wanted path equals it.

Fails safe: whatever may have changed the server's setting behind our back forgets the
remembered path, so the next cursor sets it again. Rollback, savepoint rollback and reconnect do
(upstream, since PostgreSQL reverts or loses a session `SET` there too); our raw `SET LOCAL`s
(tenants.schema_clone, tenants.services.archive) set `search_path_set_schemas = None` as well.
"""

from __future__ import annotations

from django_tenants.postgresql_backend import base


class DatabaseWrapper(base.DatabaseWrapper):
    def set_tenant(self, tenant, include_public=True):
        held = self.search_path_set_schemas
        super().set_tenant(tenant, include_public)
        # Upstream clears this; it describes the server, which set_tenant() does not touch.
        self.search_path_set_schemas = held

    def _handle_search_path(self, cursor=None):
        if self._setting_search_path:
            return
        if self.search_path_set_schemas is not None and self.schema_name:
            if self.search_path_set_schemas == self._get_cursor_search_paths():
                return
            self.search_path_set_schemas = None
        super()._handle_search_path(cursor)
