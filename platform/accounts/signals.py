"""Forget the cached membership rules whenever their row changes, however it was saved: at once
(this transaction's own reads) and again on commit (a reader elsewhere may have cached the old
row in between)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import MembershipPolicy
from accounts.selectors import POLICY_CACHE_KEY
from tenants.cache import delete_on_commit


@receiver([post_save, post_delete], sender=MembershipPolicy)
def forget_membership_policy(**kwargs) -> None:
    cache.delete(POLICY_CACHE_KEY)
    delete_on_commit(POLICY_CACHE_KEY)
