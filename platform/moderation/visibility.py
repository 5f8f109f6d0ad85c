"""Reports and warnings in core.visibility, so that notifications about them reach only those
who may read them: a reporter their own reports, a member their own warnings, moderators what
they may decide. The moderation module is always on (feature "")."""

from core import visibility
from moderation.models import MemberWarning, Report
from moderation.selectors import reports_visible_to, warnings_visible_to

visibility.register(
    Report, selector=reports_visible_to, space_of=lambda report: report.space, feature=""
)
visibility.register(
    MemberWarning,
    selector=warnings_visible_to,
    space_of=lambda warning: warning.space,
    feature="",
)
