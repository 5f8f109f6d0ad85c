"""Notifications: what happened in what a member follows or that concerns them, in the bell, by
e-mail at once, or in a daily or weekly digest, as each member sets per type.

Other apps never write notifications themselves: their services call
`notifications.services.notify(...)` with a domain event (core.event_types.EventType), the
object it concerns and who should hear of it; this app decides who actually may (they must be
able to see the object, core.visibility), what each wants, and how it is delivered.
"""
