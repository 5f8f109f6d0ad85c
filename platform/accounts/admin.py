"""Platform staff accounts in the operator console (public schema only).

Deleting an account here erases it (core.privacy.member_erase) instead of Django's cascade: the
user model is related to tables that exist only in portal schemas (posts, profiles), which a
cascade from the public schema would try to read and fail on."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "display_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
    ]
    add_fieldsets = [(None, {"fields": ["email", "password1", "password2"]})]
    list_filter = ["is_staff", "is_superuser", "is_active"]

    def get_deleted_objects(self, objs, request):
        # What the confirmation page lists: the accounts themselves; nothing else is deleted.
        return [str(obj) for obj in objs], {}, set(), []

    def delete_model(self, request, obj):
        from django.contrib import messages
        from django.core.exceptions import ValidationError

        from core.privacy import member_erase

        try:
            member_erase(user=obj, keep_content=True, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
