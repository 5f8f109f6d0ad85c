"""Forgets cached entitlements on commit whenever their inputs change."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from features.models import FeatureGrant, FeatureSwitch, Plan
from features.selectors import forget_portal_features


def _forget(portal_ids) -> None:
    ids = list(portal_ids)
    transaction.on_commit(lambda: forget_portal_features(ids))


@receiver(post_save, sender=FeatureSwitch)
@receiver(post_delete, sender=FeatureSwitch)
@receiver(post_save, sender=FeatureGrant)
@receiver(post_delete, sender=FeatureGrant)
def forget_for_portal(sender, instance, **kwargs) -> None:
    _forget([instance.portal_id])


@receiver(post_save, sender=Plan)
def forget_for_plan(sender, instance: Plan, **kwargs) -> None:
    from tenants.models import Portal

    _forget(Portal.objects.filter(plan_id=instance.key).values_list("pk", flat=True))


@receiver(post_save, sender="tenants.Portal")
def forget_for_changed_portal(sender, instance, **kwargs) -> None:
    _forget([instance.pk])
