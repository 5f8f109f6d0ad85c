from comments.models import Comment
from comments.selectors import comments_visible_to
from core import visibility


def _space_of(comment: Comment):
    return visibility.space_of(comment.target)


# Always on: a comment is exactly as visible as its target, whose module decides.
visibility.register(Comment, selector=comments_visible_to, space_of=_space_of, feature="")
