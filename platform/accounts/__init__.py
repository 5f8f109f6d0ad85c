"""People: platform staff in the public schema, members in each portal's schema.

The same User table exists in every schema, so an account belongs to exactly one portal (or to
the platform); nothing links accounts across portals.
"""
