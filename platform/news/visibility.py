from comments.registry import register_target
from core import visibility
from news.models import Post
from news.selectors import can_comment, posts_visible_to

# News is the portal's core: always on (feature ""), outside any space.
visibility.register(Post, selector=posts_visible_to, space_of=lambda post: None, feature="")
register_target(Post, key="post", can_comment=lambda user, post: can_comment(user=user, post=post))
