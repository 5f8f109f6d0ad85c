"""Features and plans: which modules a portal runs, within what its plan allows.

The catalogue (catalogue.py) declares every module once. Plans with their entitlements are rows
in the public schema that operators edit; tenant admins switch entitled modules on and off; an
operator may grant a module outside the plan until a date. `gate.py` is the single mechanism that
guards URLs, API endpoints, navigation, templates and periodic tasks, fed by one cached load per
portal (selectors.portal_features).
"""
