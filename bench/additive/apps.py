from django.apps import AppConfig


class AdditiveConfig(AppConfig):
    name = "bench.additive"
    label = "bench_additive"
    default_auto_field = "django.db.models.BigAutoField"
