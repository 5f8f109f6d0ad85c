"""The REST API of a portal (version 1), mounted behind the api_access module.

Every endpoint is a `core.api.PortalViewSet` registered here; a module's endpoints name their
module (`feature=`), and the API root lists what this portal has.
"""

from accounts.api import MemberViewSet
from core.api import ApiRouter
from features.api import FeatureViewSet
from news.api import PostViewSet

router = ApiRouter()
router.register("posts", PostViewSet, basename="posts")
router.register("features", FeatureViewSet, basename="features")
router.register("members", MemberViewSet, basename="members")

urlpatterns = router.urls
