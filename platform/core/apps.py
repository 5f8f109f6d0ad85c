from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Every app's `gdpr` module registers its models for data export and erasure.
        autodiscover_modules("gdpr")
        # Every content app's `visibility` module registers its selector (core.visibility).
        autodiscover_modules("visibility")
