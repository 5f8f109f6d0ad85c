"""How each portal looks: its theme, stored in the portal's own schema.

For now a theme is a built-in preset plus the portal's name and tagline; presets are fixed
stylesheets of CSS custom properties, so no tenant input reaches a style. Design tokens, the
theme editor, uploads and the compiled per-portal stylesheet build on this (issue "White-label
themes").
"""
