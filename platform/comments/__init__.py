"""The one comment component: comments and replies on anything (discussion threads, news posts,
and later ideas, events, proposals and programmes), with @mentions, light formatting, edit
history and soft delete.

A comment's visibility is its target's: `comments.selectors.comments_visible_to` asks
core.visibility about the target model, so a comment can never be seen by someone who may not
see what it is attached to.
"""
