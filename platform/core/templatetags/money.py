from django import template

from core.money import format_money, vat_note

register = template.Library()


@register.filter(name="money")
def money(cents) -> str:
    """{{ plan.monthly_price_cents|money }} -> 49,00 € (German) or €49.00 (English)."""
    if cents in (None, ""):
        return ""
    return format_money(int(cents))


@register.simple_tag(name="vat_note")
def vat_note_tag() -> str:
    return vat_note()
