"""A portal's start page with its news board.

Until the rename this app was called `portal`, a name that meant the tenant everywhere else; its
first migration adopts the old `portal_post` table where a schema still has it.
"""
