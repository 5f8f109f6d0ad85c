from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeaturesConfig(AppConfig):
    name = "features"
    verbose_name = _("Features and plans")

    def ready(self) -> None:
        from features import signals  # noqa: F401  (cache invalidation)
