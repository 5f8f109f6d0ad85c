"""The shared core every app builds on: the audit log, the domain-event enum, URL gates,
the scoped API base, media sanitising, money and text helpers.

It holds no feature of its own. Each part fails closed: an unknown event type, an actor that is
not a user, a route under /manage/ without the admin gate, or an API view that sets its own
queryset is an error at import or in the test suite, never a silent hole.
"""
