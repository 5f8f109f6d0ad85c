"""The operator console: Django admin, mounted on the platform host only (allmende.urls_public).

Actions call the lifecycle services; a refused transition is shown as an error message, never
half-applied. Exports run in the Celery worker and appear under "Portal exports".
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from features.admin import FeatureGrantInline
from features.services import feature_grant, plan_change
from tenants import selectors
from tenants.models import Domain, PlatformPage, Portal, PortalExport
from tenants.services import portal_archive, portal_restore, portal_resume, portal_suspend
from tenants.tasks import export_portal


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary", "created_at"]
    readonly_fields = ["created_at"]


# What happened to the selected portals, per action (a plural message each: "3 portals suspended").
DONE = {
    "suspended": lambda n: ngettext("%(n)d portal suspended.", "%(n)d portals suspended.", n),
    "resumed": lambda n: ngettext("%(n)d portal resumed.", "%(n)d portals resumed.", n),
    "deleted": lambda n: ngettext("%(n)d portal deleted.", "%(n)d portals deleted.", n),
    "restored": lambda n: ngettext("%(n)d portal restored.", "%(n)d portals restored.", n),
}


def _apply(modeladmin, request, queryset, service, done: str):
    changed = 0
    for portal in queryset:
        try:
            service(portal=portal, actor=request.user)
        except ValidationError as exc:
            modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            changed += 1
    if changed:
        modeladmin.message_user(request, DONE[done](changed) % {"n": changed}, messages.SUCCESS)


@admin.action(description=_("Suspend selected portals"))
def suspend(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, portal_suspend, "suspended")


@admin.action(description=_("Resume selected portals"))
def resume(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, portal_resume, "resumed")


@admin.action(description=_("Delete selected portals (purged after the grace period)"))
def archive(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, portal_archive, "deleted")


@admin.action(description=_("Restore selected deleted portals"))
def restore(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, portal_restore, "restored")


@admin.action(description=_("Export selected portals"))
def export(modeladmin, request, queryset):
    for portal in queryset:
        job = PortalExport.objects.create(portal=portal, requested_by=request.user)
        transaction.on_commit(lambda job_id=job.pk: export_portal.delay(export_id=job_id))
    modeladmin.message_user(
        request,
        _("Export started; the archive appears under Portal exports."),
        messages.SUCCESS,
    )


@admin.register(Portal)
class PortalAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "plan", "status", "created_at"]
    list_filter = ["status", "plan"]
    search_fields = ["name", "slug", "domains__domain"]
    readonly_fields = [
        "uid",
        "slug",
        "schema_name",
        "status",
        "status_reason",
        "created_at",
        "updated_at",
        "archived_at",
        "purge_after",
    ]
    fields = ["name", "plan", "language", "contact_email", *readonly_fields]
    inlines = [DomainInline, FeatureGrantInline]
    actions = [suspend, resume, export, archive, restore]

    def save_model(self, request, obj, form, change):
        new_plan = obj.plan_id
        if change and "plan" in form.changed_data:
            # Plan changes go through the service (audit event, limit warnings), like billing's.
            obj.plan_id = form.initial["plan"]
        super().save_model(request, obj, form, change)
        if change and new_plan != obj.plan_id:
            for warning in plan_change(portal=obj, plan=new_plan, actor=request.user):
                self.message_user(request, warning, messages.WARNING)

    def save_formset(self, request, form, formset, change):
        for grant in formset.save(commit=False):
            if not hasattr(grant, "granted_by"):
                grant.save()  # another inline (domains)
            elif grant.pk is None:
                # New grants go through the service: validated, and in the audit log.
                feature_grant(
                    portal=grant.portal,
                    feature=grant.feature,
                    expires_at=grant.expires_at,
                    granted_by=request.user,
                    note=grant.note,
                )
            else:
                grant.save()
        for deleted in formset.deleted_objects:
            deleted.delete()

    @admin.display(description=_("Address"))
    def address(self, portal: Portal):
        url = selectors.portal_base_url(portal)
        return format_html('<a href="{}">{}</a>', url, url)

    def has_add_permission(self, request):
        # Portals are created by provisioning (create_portal, the order flow), never by a bare row.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PortalExport)
class PortalExportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "portal", "status", "size_bytes", "download"]
    list_filter = ["status"]
    readonly_fields = [
        "portal",
        "status",
        "path",
        "size_bytes",
        "error",
        "requested_by",
        "created_at",
        "finished_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("Archive"))
    def download(self, export: PortalExport):
        if export.status != PortalExport.Status.DONE:
            return "—"
        url = reverse("admin:tenants_portalexport_download", args=[export.pk])
        return format_html('<a href="{}">{}</a>', url, _("download"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="tenants_portalexport_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk: int):
        export = PortalExport.objects.filter(pk=pk, status=PortalExport.Status.DONE).first()
        if export is None or not self.has_view_permission(request, export):
            raise Http404(_("No such export."))
        try:
            handle = open(export.path, "rb")  # noqa: SIM115 (FileResponse closes it)
        except FileNotFoundError as exc:
            raise Http404(_("The archive file is gone.")) from exc
        return FileResponse(handle, as_attachment=True, filename=export.path.rsplit("/", 1)[-1])


@admin.register(PlatformPage)
class PlatformPageAdmin(admin.ModelAdmin):
    list_display = ["kind", "updated_at"]
