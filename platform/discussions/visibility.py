from comments.registry import register_target
from core import visibility
from discussions.models import Thread
from discussions.selectors import threads_visible_to
from discussions.services import thread_touch


def _can_comment(user, thread: Thread) -> bool:
    from spaces.selectors import can_contribute

    return can_contribute(user=user, space=thread.space)


visibility.register(
    Thread, selector=threads_visible_to, space_of=lambda thread: thread.space, feature="spaces"
)
register_target(
    Thread,
    key="thread",
    can_comment=_can_comment,
    space_lookup="space",
    on_comment=thread_touch,
)
