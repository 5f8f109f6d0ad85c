"""API for members: one's own profile (`members/me/`, every member) and the members list
(`members/`, the portal's admins only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import profiles, selectors
from accounts.models import Profile, User, Visibility
from core.api import ScopedModelViewSet
from core.permissions import IsPortalAdmin


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "role", "status", "date_joined", "last_seen_at"]
        read_only_fields = fields


class ProfileSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=120, allow_blank=True, required=False)
    bio = serializers.CharField(max_length=500, allow_blank=True, required=False)
    place = serializers.CharField(max_length=120, allow_blank=True, required=False)
    topics = serializers.ListField(child=serializers.IntegerField(), required=False)
    visibility = serializers.DictField(
        child=serializers.ChoiceField(choices=Visibility.choices), required=False
    )
    language = serializers.CharField(max_length=8, allow_blank=True, required=False)
    listed = serializers.BooleanField(required=False)


def _profile_body(user: User) -> dict:
    profile = profiles.profile_of(user)
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "bio": profile.bio,
        "place": profile.place,
        "topics": list(profile.topics.values_list("pk", flat=True)),
        "visibility": {f: profile.visibility_of(f) for f in Profile.FIELDS},
        "language": user.language,
        "listed": profile.listed,
    }


class MemberViewSet(mixins.ListModelMixin, ScopedModelViewSet):
    serializer_class = MemberSerializer
    selector = selectors.members_visible_to

    def get_permissions(self):
        if self.action == "me":
            return [IsAuthenticated()]
        return [IsPortalAdmin()]

    @action(detail=False, methods=["get", "patch"])
    def me(self, request):
        if request.method == "PATCH":
            body = ProfileSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            current = _profile_body(request.user)
            data = {**current, **body.validated_data}
            try:
                profiles.profile_update(
                    user=request.user,
                    display_name=data["display_name"],
                    bio=data["bio"],
                    place=data["place"],
                    topic_ids=list(data["topics"]),
                    visibility=dict(data["visibility"]),
                    language=data["language"],
                    listed=data["listed"],
                )
            except ValidationError as exc:
                raise ApiValidationError(exc.message_dict) from exc
        return Response(_profile_body(request.user))
