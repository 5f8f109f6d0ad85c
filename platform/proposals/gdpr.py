"""Data rights for proposals (see core.gdpr): the proposals a member started, the versions
they wrote, their co-signatures, the import runs and timeline steps they recorded.

Erasing deletes the co-signatures of drafts (a signature under a submitted proposal went to the
council in its letter; it stays, naming the anonymised account). Drafts the member started are
deleted with their versions unless the member keeps their content; submitted proposals are the
portal's record of what a council was asked and stay, under "Former member". Versions, steps and
import runs keep their content without the name of who made them.
"""

from __future__ import annotations

from core import gdpr
from proposals.models import (
    CoSignature,
    OParlImport,
    Proposal,
    ProposalStatus,
    ProposalStep,
    ProposalVersion,
)


def _export_proposals(user) -> list[gdpr.Row]:
    return [
        {
            "id": proposal.pk,
            "space": proposal.space.name,
            "title": proposal.title,
            "text": proposal.text,
            "status": proposal.status,
            "reference": proposal.reference,
            "letter": gdpr.StoredFile(proposal.letter) if proposal.letter else None,
            "created_at": proposal.created_at.isoformat(),
        }
        for proposal in Proposal.objects.filter(created_by=user)
        .select_related("space")
        .order_by("pk")
    ]


def _erase_proposals(user, *, keep_content: bool) -> None:
    if keep_content:
        return
    drafts = Proposal.objects.filter(created_by=user, status=ProposalStatus.DRAFT)
    ids = list(drafts.values_list("pk", flat=True))
    drafts.delete()
    gdpr.audit_forget_objects(object_type=Proposal._meta.label_lower, object_ids=ids)


def _export_versions(user) -> list[gdpr.Row]:
    return [
        {
            "proposal_id": version.proposal_id,
            "number": version.number,
            "title": version.title,
            "text": version.text,
            "note": version.note,
            "at": version.created_at.isoformat(),
        }
        for version in ProposalVersion.objects.filter(author=user).order_by("pk")
    ]


def _erase_versions(user, *, keep_content: bool) -> None:
    ProposalVersion.objects.filter(author=user).update(author=None)


def _export_signatures(user) -> list[gdpr.Row]:
    return [
        {
            "proposal": signature.proposal.title,
            "proposal_id": signature.proposal_id,
            "version": signature.version,
            "at": signature.created_at.isoformat(),
        }
        for signature in CoSignature.objects.filter(user=user)
        .select_related("proposal")
        .order_by("pk")
    ]


def _erase_signatures(user, *, keep_content: bool) -> None:
    CoSignature.objects.filter(user=user, proposal__status=ProposalStatus.DRAFT).delete()


def _export_steps(user) -> list[gdpr.Row]:
    return [
        {
            "proposal_id": step.proposal_id,
            "status": step.status,
            "decision": step.decision,
            "note": step.note,
            "at": step.created_at.isoformat(),
        }
        for step in ProposalStep.objects.filter(by=user).order_by("pk")
    ]


def _erase_steps(user, *, keep_content: bool) -> None:
    ProposalStep.objects.filter(by=user).update(by=None)


def _export_imports(user) -> list[gdpr.Row]:
    return [
        {"url": run.url, "ok": run.ok, "at": run.started_at.isoformat()}
        for run in OParlImport.objects.filter(by=user).order_by("pk")
    ]


def _erase_imports(user, *, keep_content: bool) -> None:
    OParlImport.objects.filter(by=user).update(by=None)


gdpr.register(Proposal, exporter=_export_proposals, eraser=_erase_proposals)
gdpr.register(ProposalVersion, exporter=_export_versions, eraser=_erase_versions)
gdpr.register(CoSignature, exporter=_export_signatures, eraser=_erase_signatures)
gdpr.register(ProposalStep, exporter=_export_steps, eraser=_erase_steps)
gdpr.register(OParlImport, exporter=_export_imports, eraser=_erase_imports)
