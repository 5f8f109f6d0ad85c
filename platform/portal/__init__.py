"""A portal's own pages: the start page with its news board, and the health check.

News posts are the first content members create; groups, ideas, events and the map arrive as
their own apps and are linked from here.
"""
