"""The REST API of a portal (version 1), mounted behind the api_access module.

Every endpoint is a `core.api.PortalViewSet` registered here; a module's endpoints name their
module (`feature=`), and the API root lists what this portal has.
"""

from accounts.api import MemberViewSet
from comments.api import register as comments_api
from core.api import ApiRouter
from discussions.api import register as discussions_api
from documents.api import register as documents_api
from events.api import register as events_api
from features.api import FeatureViewSet
from ideas.api import register as ideas_api
from moderation.api import register as moderation_api
from news.api import PostViewSet
from notifications.api import register as notifications_api
from places.api import register as places_api
from proposals.api import register as proposals_api
from spaces.api import register as spaces_api

router = ApiRouter()
router.register("posts", PostViewSet, basename="posts")
router.register("features", FeatureViewSet, basename="features")
router.register("members", MemberViewSet, basename="members")
for module_api in (
    spaces_api,
    discussions_api,
    comments_api,
    documents_api,
    moderation_api,
    notifications_api,
    ideas_api,
    proposals_api,
    places_api,
    events_api,
):
    module_api(router)

urlpatterns = router.urls
