from django.apps import AppConfig


class FeaturesConfig(AppConfig):
    name = "features"
    verbose_name = "Features and plans"

    def ready(self) -> None:
        from features import signals  # noqa: F401  (cache invalidation)
