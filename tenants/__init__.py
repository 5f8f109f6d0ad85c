"""Portals and their lifecycle, in the public schema.

Owns the tenant model (Portal) and its domains, host routing, provisioning from a template
schema, suspend/resume, export/import, archive and purge, fleet migrations, the isolation
plumbing (cache keys, media storage, Celery task context, log and Sentry tagging) and the
operator console on the platform host.
"""
