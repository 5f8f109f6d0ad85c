"""Every domain event, in one list: the audit log, notifications and outbound webhooks speak of
these and nothing else. Values are stable identifiers (`<entity>.<what happened>`); they are
stored in the database and sent to webhook receivers, so a value is never renamed or reused.

A new module adds its events here the day it lands; `audit_record` refuses any other value.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    # Portal lifecycle (public schema; operators and the platform itself act).
    PORTAL_PROVISIONED = "portal.provisioned", _("portal provisioned")
    PORTAL_IMPORTED = "portal.imported", _("portal imported")
    PORTAL_SUSPENDED = "portal.suspended", _("portal suspended")
    PORTAL_RESUMED = "portal.resumed", _("portal resumed")
    PORTAL_EXPORTED = "portal.exported", _("portal exported")
    PORTAL_ARCHIVED = "portal.archived", _("portal deleted (grace period)")
    PORTAL_RESTORED = "portal.restored", _("portal restored")
    PORTAL_PURGED = "portal.purged", _("portal purged")
    PORTAL_PLAN_CHANGED = "portal.plan_changed", _("plan changed")
    # Modules and grants.
    FEATURE_SWITCHED = "feature.switched", _("module switched")
    FEATURE_GRANTED = "feature.granted", _("module granted")
    # Billing (public schema).
    ORDER_PLACED = "order.placed", _("order placed")
    ORDER_CONFIRMED = "order.confirmed", _("order e-mail confirmed")
    ORDER_COMPLETED = "order.completed", _("order completed")
    ORDER_FAILED = "order.failed", _("order failed")
    ORDER_ABANDONED = "order.abandoned", _("order abandoned")
    BILLING_CHANGED = "billing.changed", _("billing changed")
    BILLING_PAYMENT_FAILED = "billing.payment_failed", _("payment failed")
    BILLING_DOWNGRADED = "billing.downgraded", _("downgraded for non-payment")
    # Inside a portal.
    THEME_PUBLISHED = "theme.published", _("theme published")
    MEMBER_CREATED = "member.created", _("member account created")
    MEMBER_INVITED = "member.invited", _("member invited")
    INVITATION_RESENT = "invitation.resent", _("invitation sent again")
    INVITATION_REVOKED = "invitation.revoked", _("invitation withdrawn")
    INVITATION_ACCEPTED = "invitation.accepted", _("invitation accepted")
    INVITATION_RENEWAL_REQUESTED = "invitation.renewal_requested", _("new invitation asked for")
    MEMBER_REGISTERED = "member.registered", _("member registered")
    MEMBER_APPROVED = "member.approved", _("member approved")
    MEMBER_ROLE_CHANGED = "member.role_changed", _("member's role changed")
    MEMBER_BLOCKED = "member.blocked", _("member blocked")
    MEMBER_UNBLOCKED = "member.unblocked", _("member unblocked")
    MEMBER_EMAIL_CHANGED = "member.email_changed", _("member's e-mail address changed")
    MEMBER_DATA_EXPORTED = "member.data_exported", _("member's data exported")
    MEMBER_DELETED = "member.deleted", _("member account deleted")
    MEMBERSHIP_POLICY_CHANGED = "membership.policy_changed", _("membership rules changed")
    TOPICS_CHANGED = "topics.changed", _("topic list changed")
    DOMAIN_ADDED = "domain.added", _("domain added")
    DOMAIN_VERIFIED = "domain.verified", _("domain verified")
    DOMAIN_MADE_PRIMARY = "domain.made_primary", _("domain made the main address")
    DOMAIN_REMOVED = "domain.removed", _("domain removed")
    POST_PUBLISHED = "post.published", _("news post published")
    # Spaces (groups and projects).
    SPACE_CREATED = "space.created", _("space created")
    SPACE_UPDATED = "space.updated", _("space changed")
    SPACE_ARCHIVED = "space.archived", _("space archived")
    SPACE_UNARCHIVED = "space.unarchived", _("space taken out of the archive")
    SPACE_JOINED = "space.joined", _("member joined a space")
    SPACE_JOIN_REQUESTED = "space.join_requested", _("member asked to join a space")
    SPACE_JOIN_APPROVED = "space.join_approved", _("request to join a space approved")
    SPACE_JOIN_DECLINED = "space.join_declined", _("request to join a space declined")
    SPACE_INVITED = "space.invited", _("member invited to a space")
    SPACE_INVITATION_ACCEPTED = "space.invitation_accepted", _("invitation to a space accepted")
    SPACE_LEFT = "space.left", _("member left a space")
    SPACE_MEMBER_REMOVED = "space.member_removed", _("member removed from a space")
    SPACE_ADMIN_TRANSFERRED = "space.admin_transferred", _("space admin role handed over")
    # Discussions and the shared comment component.
    THREAD_CREATED = "thread.created", _("discussion started")
    THREAD_EDITED = "thread.edited", _("discussion edited")
    THREAD_PINNED = "thread.pinned", _("discussion pinned")
    THREAD_UNPINNED = "thread.unpinned", _("discussion unpinned")
    THREAD_DELETED = "thread.deleted", _("discussion deleted")
    COMMENT_CREATED = "comment.created", _("comment written")
    COMMENT_REPLIED = "comment.replied", _("reply written")
    COMMENT_EDITED = "comment.edited", _("comment edited")
    COMMENT_DELETED = "comment.deleted", _("comment deleted")
    MEMBER_MENTIONED = "member.mentioned", _("member mentioned")
    # Documents.
    DOCUMENT_UPLOADED = "document.uploaded", _("document uploaded")
    DOCUMENT_VERSION_ADDED = "document.version_added", _("new version of a document")
    DOCUMENT_DELETED = "document.deleted", _("document deleted")
    FOLDER_CREATED = "folder.created", _("folder created")
    FOLDER_DELETED = "folder.deleted", _("folder deleted")
    # Moderation.
    REPORT_FILED = "report.filed", _("content or member reported")
    REPORT_RESOLVED = "report.resolved", _("report decided")
    CONTENT_HIDDEN = "content.hidden", _("content hidden by a moderator")
    CONTENT_UNHIDDEN = "content.unhidden", _("content shown again by a moderator")
    MEMBER_WARNED = "member.warned", _("member warned")
    # Ideas.
    IDEA_POSTED = "idea.posted", _("idea posted")
    IDEA_EDITED = "idea.edited", _("idea edited")
    IDEA_SUPPORTED = "idea.supported", _("idea supported")
    IDEA_SUPPORT_WITHDRAWN = "idea.support_withdrawn", _("support for an idea withdrawn")
    IDEA_STATUS_CHANGED = "idea.status_changed", _("status of an idea changed")
    IDEA_PROJECT_STARTED = "idea.project_started", _("project started from an idea")
    # Proposals to councils.
    PROPOSAL_STARTED = "proposal.started", _("proposal started")
    PROPOSAL_EDITED = "proposal.edited", _("new version of a proposal")
    PROPOSAL_COSIGNED = "proposal.cosigned", _("proposal co-signed")
    PROPOSAL_SIGNATURE_WITHDRAWN = "proposal.signature_withdrawn", _("co-signature withdrawn")
    PROPOSAL_SUBMITTED = "proposal.submitted", _("proposal submitted to a council")
    PROPOSAL_LETTER_SENT = "proposal.letter_sent", _("proposal letter e-mailed")
    PROPOSAL_STATUS_CHANGED = "proposal.status_changed", _("council step of a proposal recorded")
    PROPOSAL_BODY_SAVED = "proposal.body_saved", _("recipient body saved")
    PROPOSAL_BODIES_IMPORTED = "proposal.bodies_imported", _("bodies imported from OParl")
    PROPOSAL_SETTINGS_CHANGED = "proposal.settings_changed", _("proposal settings changed")
    # Events calendar.
    EVENT_CREATED = "event.created", _("event created")
    EVENT_EDITED = "event.edited", _("event changed")
    EVENT_RESCHEDULED = "event.rescheduled", _("event moved to another time or place")
    EVENT_CANCELLED = "event.cancelled", _("event cancelled")
    EVENT_RSVP_SET = "event.rsvp_set", _("answered an event invitation")
    EVENT_RSVP_WITHDRAWN = "event.rsvp_withdrawn", _("answer to an event withdrawn")
    EVENT_RSVP_MOVED_UP = "event.rsvp_moved_up", _("moved up from the waiting list")
    EVENT_REMINDER = "event.reminder", _("reminder of an event")
    EVENT_FEED_TOKEN_ROTATED = "event.feed_token_rotated", _("calendar feed address renewed")
    EVENT_CATEGORY_SAVED = "event.category_saved", _("event category saved")
    EVENT_CALENDAR_SUBSCRIBED = "event.calendar_subscribed", _("calendar subscribed")
    EVENT_CALENDAR_UNSUBSCRIBED = "event.calendar_unsubscribed", _("calendar subscription removed")
    EVENT_CALENDAR_IMPORTED = "event.calendar_imported", _("subscribed calendar imported")
    # The map.
    MAP_SETTINGS_CHANGED = "map.settings_changed", _("map settings changed")
    # Notifications.
    NOTIFICATION_SETTINGS_CHANGED = (
        "notification.settings_changed",
        _("notification settings changed"),
    )
    NOTIFICATIONS_UNSUBSCRIBED = "notification.unsubscribed", _("unsubscribed from e-mails")
    DIGEST_SENT = "notification.digest_sent", _("digest e-mail sent")
    # Own-domain claims (public schema; the platform acts).
    DOMAIN_CLAIM_LOST = "domain.claim_lost", _("domain claim lost to another portal")
    DOMAIN_CLAIM_EXPIRED = "domain.claim_expired", _("unverified domain claim expired")
