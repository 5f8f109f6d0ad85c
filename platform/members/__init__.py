"""The members admin of a portal: members list, approvals, roles, blocking, membership rules,
CSV export and statistics. Portal administrators only (behind the admin gate)."""
