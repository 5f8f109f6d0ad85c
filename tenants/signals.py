"""Keeps the routing cache true: any change to a domain or a portal forgets its cached routes.

Invalidation runs on commit, so a rolled-back change never evicts (or re-populates) anything;
`forget_hostnames` forgets them in the shared cache and, through their version, in every process.
Importing this module also connects the connection bounds (tenants.connections).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants import connections  # noqa: F401  (connects the per-connection bounds)
from tenants.models import Domain, Portal
from tenants.routing import forget_hostnames


def _forget_on_commit(hostnames: set[str]) -> None:
    transaction.on_commit(lambda: forget_hostnames(hostnames))


@receiver(post_save, sender=Domain)
@receiver(post_delete, sender=Domain)
def forget_domain_route(sender, instance: Domain, **kwargs) -> None:
    _forget_on_commit({instance.domain, getattr(instance, "_loaded_domain", None)})
    # The saved name is the old one for the next rename of this same instance; otherwise a
    # second rename would leave the intermediate hostname routed from the cache.
    instance._loaded_domain = instance.domain


@receiver(post_save, sender=Portal)
@receiver(post_delete, sender=Portal)
def forget_portal_routes(sender, instance: Portal, **kwargs) -> None:
    hostnames = set(Domain.objects.filter(tenant_id=instance.pk).values_list("domain", flat=True))
    _forget_on_commit(hostnames)
