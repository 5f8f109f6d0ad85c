"""Forget cached reads whenever their rows change, however they were saved: at once (this
transaction's own reads) and again on commit (a reader elsewhere may have cached the old value
in between). The membership rules, and the member count the pages show."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import MembershipPolicy, User
from accounts.selectors import member_count_local_key, policy_local_key
from tenants import localcache
from tenants.cache import _current_schema, on_commit_in_this_schema


@receiver([post_save, post_delete], sender=MembershipPolicy)
def forget_membership_policy(**kwargs) -> None:
    _forget(policy_local_key(_current_schema()))


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def forget_member_count(*, created: bool = True, update_fields=None, **kwargs) -> None:
    # A login saves only last_login: the count stays.
    if created or update_fields is None or "is_active" in update_fields:
        _forget(member_count_local_key(_current_schema()))


def _forget(key: str) -> None:
    def forget() -> None:
        localcache.local_cache.invalidate([key], alias="default")

    forget()
    on_commit_in_this_schema(forget)
