from comments.registry import register_target
from core import visibility
from ideas.models import Idea
from ideas.selectors import ideas_visible_to, space_of


def _can_comment(user, idea: Idea) -> bool:
    """Any active member of the portal, on an idea that is not archived."""
    from ideas.models import IdeaStatus

    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and idea.status != IdeaStatus.ARCHIVED
    )


visibility.register(Idea, selector=ideas_visible_to, space_of=space_of, feature="ideas")
register_target(Idea, key="idea", can_comment=_can_comment, space_lookup=None)
