from core import visibility
from spaces.models import Space
from spaces.selectors import spaces_visible_to

visibility.register(
    Space, selector=spaces_visible_to, space_of=lambda space: space, feature="spaces"
)
