"""`madoguchi route`: understand an inquiry and say which hub and coordinator would take it.

Prints one JSON object per inquiry and stores nothing (on a database with no directory
at all it first builds the sample directory, see ``madoguchi.directory_snapshot``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from madoguchi.commands.json_lines import LineError, each_line, emit
from madoguchi.context import AppContext
from madoguchi.errors import UserError
from nlp.geo import prefecture as find_prefecture
from nlp.understand import EmptyTextError, Understanding
from routing import CapabilityError, Case, Decision, DirectorySnapshot, Router, load_capabilities

RouteText = Callable[[str, str | None], dict[str, Any]]


def case_from(understanding: Understanding, prefecture: str | None = None) -> Case:
    """The routing case of an understood message; ``prefecture`` (already validated)
    overrides what the text says, and then a municipality elsewhere is dropped."""
    found = understanding.entities
    given = find_prefecture(prefecture) if prefecture else None
    chosen = given.name if given else None
    municipality = found.municipality if chosen is None or chosen == found.prefecture else None
    c = understanding.classification
    return Case(
        label=c.label,
        secondary=c.secondary,
        prefecture=chosen or found.prefecture,
        municipality=municipality,
        key=understanding.normalized,
    )


def decision_json(case: Case, decision: Decision) -> dict[str, Any]:
    """The JSON shape of `madoguchi route`."""
    hub, person, escalation = decision.hub, decision.coordinator, decision.escalation
    place = find_prefecture(case.prefecture) if case.prefecture else None
    return {
        "label": case.label,
        "secondary": list(case.secondary),
        "prefecture": place.name if place else None,
        "hub": None
        if hub is None
        else {
            "id": hub.id,
            "name": hub.name,
            "type": hub.institution_type,
            "prefecture": hub.prefecture,
            "succession_center": hub.succession_center,
        },
        "coordinator": None
        if person is None
        else {"id": person.id, "name": person.name, "qualifications": list(person.qualifications)},
        "reasons": list(decision.reasons),
        "needs": list(decision.needs),
        "escalation": None
        if escalation is None
        else {
            "scope": str(escalation.scope),
            "hub_id": escalation.hub.id if escalation.hub else None,
            "region": escalation.region,
            "reason": escalation.reason,
        },
    }


def load_directory(app_ctx: AppContext) -> DirectorySnapshot:
    """The directory snapshot of the configured database (the sample one if it has none)."""
    from madoguchi.directory_snapshot import load_snapshot

    return load_snapshot(app_ctx.ready_database())


def build_router(app_ctx: AppContext) -> Router:
    """The capability table from the settings and the directory from the database."""
    try:
        capabilities = load_capabilities(app_ctx.settings.capabilities_file, app_ctx.taxonomy)
    except CapabilityError as exc:
        raise UserError(str(exc)) from exc
    return Router(load_directory(app_ctx), capabilities)


def _check_prefecture(name: str) -> str:
    found = find_prefecture(name)
    if found is None:
        raise UserError(f"unknown prefecture {name!r}: give one of the 47, e.g. 長野県 or 長野")
    return found.name


def route_command(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Inquiry text; omit it to read JSON lines.")] = None,
    prefecture: Annotated[
        str | None, typer.Option("--prefecture", "-p", help="The SME's prefecture (長野県 or 長野).")
    ] = None,
) -> None:
    """Route one inquiry, or JSON lines {"text": ..., "prefecture": optional} from stdin."""
    app_ctx: AppContext = ctx.obj
    if text is not None:
        chosen = _check_prefecture(prefecture) if prefecture is not None else None
        if not text.strip():
            raise UserError("the text is empty; write the inquiry in words")
        route = _router_for(app_ctx)
        try:
            emit(route(text, chosen))
        except EmptyTextError as exc:
            raise UserError("the text is empty; write the inquiry in words") from exc
        return
    if prefecture is not None:
        raise UserError('--prefecture goes with TEXT; on stdin give "prefecture" on each line')
    route = _router_for(app_ctx)

    def handle(item: dict[str, Any]) -> dict[str, Any]:
        given = item.get("prefecture")
        if given is not None and (not isinstance(given, str) or find_prefecture(given) is None):
            raise LineError(f"unknown prefecture {given!r}")
        return route(item["text"], given)

    each_line(handle)


def _router_for(app_ctx: AppContext) -> RouteText:
    router = build_router(app_ctx)
    understander = app_ctx.understander

    def route(text: str, prefecture: str | None) -> dict[str, Any]:
        case = case_from(understander.understand(text, explain=False), prefecture)
        return decision_json(case, router.route(case))

    return route


def register(app: typer.Typer) -> None:
    """Attach the command to the root CLI."""
    app.command("route")(route_command)
