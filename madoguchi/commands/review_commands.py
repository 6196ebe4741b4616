"""`madoguchi review`: the cases worth labelling, confirmed or relabelled from the terminal.

Items are label feedback waiting for review (``F<id>``: coordinators' corrections, owners'
category choices) and recent leads nobody labelled whose confidence was below the current
model's threshold for their label (``L<id>``). Approving an ``L`` item stores an admin
label. Only approved feedback enters training, and its text is always redacted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

import typer

from madoguchi.commands.json_lines import emit
from madoguchi.context import AppContext
from madoguchi.errors import UserError
from models import FeedbackSource, FeedbackStatus, LabelFeedback, Lead
from nlp.redact import redact
from nlp.registry import ModelError
from nlp.taxonomy import Taxonomy
from storage.database import Database
from storage.repositories import feedback, leads

DEFAULT_CONFIDENCE = 0.5
REASON_TEXT = {
    "correction": "担当者による分類の修正",
    "owner_choice": "相談者が選んだ分類",
    "admin": "管理者のラベル",
    "disagreement": "モデルと人の判断が違う",
    "low_confidence": "確信度が低い",
}


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One case worth labelling."""

    id: str
    reasons: tuple[str, ...]
    text: str  # redacted
    label: str | None  # the label a person gave (None: nobody labelled it yet)
    predicted: str | None
    confidence: float | None
    source: str | None
    lead_id: int | None


def _from_feedback(row: LabelFeedback) -> ReviewItem:
    reasons = {FeedbackSource.COORDINATOR: "correction", FeedbackSource.OWNER: "owner_choice"}
    kinds = [reasons.get(row.source, "admin")]
    if row.predicted_label and row.predicted_label != row.label:
        kinds.append("disagreement")
    return ReviewItem(f"F{row.id}", tuple(kinds), redact(row.text), row.label, row.predicted_label,
                      None, str(row.source), row.lead_id)


def _from_lead(lead: Lead) -> ReviewItem:
    return ReviewItem(f"L{lead.id}", ("low_confidence",), redact(lead.text), None, lead.label,
                      lead.confidence, None, lead.id)


def _thresholds(app_ctx: AppContext) -> dict[str, float]:
    """Per-label confidence thresholds of the current model (no model is loaded)."""
    registry = app_ctx.registry
    current = registry.current_version()
    if current is None:
        return {}
    try:
        confidence: dict[str, float] = registry.meta(current).thresholds.get("confidence", {})
    except ModelError:
        return {}
    return confidence


def collect(app_ctx: AppContext, database: Database, limit: int) -> list[ReviewItem]:
    """Corrections and choices first (disagreements leading), then the least confident leads."""
    thresholds = _thresholds(app_ctx)
    with database.session() as session:
        rows = feedback.recent_candidates(session, limit=limit)
        items = sorted((_from_feedback(r) for r in rows), key=lambda i: "disagreement" not in i.reasons)
        unsure = [
            lead for lead in feedback.unlabelled_leads(session, limit=limit * 5)
            if lead.confidence < thresholds.get(lead.label, DEFAULT_CONFIDENCE)
        ]
        unsure.sort(key=lambda lead: lead.confidence)
        items.extend(_from_lead(lead) for lead in unsure)
    return items[:limit]


def decide(database: Database, item_id: str, *, label: str | None, approve: bool) -> dict[str, Any]:
    """Approve (optionally relabelling) or reject one item; returns what was stored."""
    kind, number = item_id[:1].upper(), item_id[1:]
    if kind not in ("F", "L") or not number.isdigit():
        raise UserError(f"unknown review item {item_id!r}; use an id that `review --json` lists (F12, L7)")
    with database.unit_of_work() as session:
        if kind == "F":
            row = feedback.get_feedback(session, feedback_id=int(number))
            if row is None:
                raise UserError(f"there is no feedback {item_id}")
            status = FeedbackStatus.APPROVED if approve else FeedbackStatus.REJECTED
            row = feedback.review_feedback(session, feedback_id=int(number), status=status, label=label)
            return {"id": item_id, "status": str(row.status), "label": row.label}
        lead = leads.get_lead(session, lead_id=int(number))
        if lead is None:
            raise UserError(f"there is no lead {item_id}")
        if not approve:
            raise UserError(f"{item_id} has no label to reject; skip it instead")
        row = feedback.add_label_feedback(
            session, text=redact(lead.text), label=label or lead.label, source=FeedbackSource.ADMIN,
            actor="admin", lead_id=lead.id, predicted_label=lead.label,
            secondary_labels=[s for s in lead.secondary_labels if s != (label or lead.label)],
            model_version=lead.model_version, status=FeedbackStatus.APPROVED,
        )
        session.flush()
        return {"id": item_id, "status": str(row.status), "label": row.label, "feedback": f"F{row.id}"}


def _show(item: ReviewItem, taxonomy: Taxonomy, number: int, total: int) -> None:
    reasons = " / ".join(REASON_TEXT[r] for r in item.reasons)
    typer.echo(f"\n[{number}/{total}] {item.id}  {reasons}")
    typer.echo(f"  「{item.text}」")
    predicted = taxonomy.name(item.predicted) if item.predicted else "-"
    confidence = f" ({item.confidence:.2f})" if item.confidence is not None else ""
    given = f"  →  {item.source}: {taxonomy.name(item.label)}" if item.label else ""
    typer.echo(f"  model: {predicted}{confidence}{given}")


def _interactive(app_ctx: AppContext, database: Database, items: list[ReviewItem]) -> None:
    taxonomy = app_ctx.taxonomy
    ids = list(taxonomy.ids)
    menu = "  ".join(f"{i}) {taxonomy.name(label)}" for i, label in enumerate(ids, start=1))
    done = 0
    for number, item in enumerate(items, start=1):
        _show(item, taxonomy, number, len(items))
        typer.echo(f"  {menu}")
        typer.echo("  Enter = approve as shown, a number = set that label, r = reject, s = skip, q = quit")
        while True:
            answer = typer.prompt("  >", default="", show_default=False).strip().lower()
            if answer == "q":
                typer.echo(f"{done} decided")
                return
            if answer == "s":
                break
            if answer == "r" and item.label is not None:
                decide(database, item.id, label=None, approve=False)
                done += 1
                break
            if answer == "" and (item.label or item.predicted):
                decide(database, item.id, label=item.label or item.predicted, approve=True)
                done += 1
                break
            if answer.isdigit() and 1 <= int(answer) <= len(ids):
                decide(database, item.id, label=ids[int(answer) - 1], approve=True)
                done += 1
                break
            typer.echo(f"  type 1-{len(ids)}, Enter, r, s or q")
    typer.echo(f"{done} decided")


def review(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="List the items as JSON lines and exit.")] = False,
    approve: Annotated[str | None, typer.Option("--approve", help="Approve item ID (F12, L7).")] = None,
    reject: Annotated[str | None, typer.Option("--reject", help="Reject item ID.")] = None,
    label: Annotated[str | None, typer.Option("--label", help="The label to set with --approve.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many items.")] = 50,
) -> None:
    """Cases worth labelling: confirm or set their label (interactive), or script it."""
    app_ctx: AppContext = ctx.obj
    if label is not None and label not in app_ctx.taxonomy.ids:
        raise UserError(f"unknown label {label!r}; choose one of {', '.join(app_ctx.taxonomy.ids)}")
    if approve and reject:
        raise UserError("use --approve or --reject, not both")
    database = app_ctx.ready_database()
    if approve or reject:
        result = decide(database, approve or reject or "", label=label, approve=approve is not None)
        if as_json:
            emit(result)
        else:
            typer.echo(f"{result['id']}: {result['status']} as {result['label']}")
        return
    if label is not None:
        raise UserError("--label goes with --approve ID")
    items = collect(app_ctx, database, limit)
    if as_json:
        for item in items:
            emit({**asdict(item), "reasons": list(item.reasons)})
        return
    if not items:
        typer.echo("nothing to review")
        return
    _interactive(app_ctx, database, items)


def register(app: typer.Typer) -> None:
    """Attach `review` to the root CLI."""
    app.command("review")(review)
