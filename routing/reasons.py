"""Reasons in plain Japanese, such as 「長野県内の事業承継支援センター」
「税理士・事業承継の専門」「担当件数 2/8」.

Every phrase a coordinator, an admin or the SME may read is written here, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from routing.capabilities import Capability
from routing.decision import Tier
from routing.directory import Coordinator, Hub

NEEDS_PREFECTURE = "ご相談先の都道府県が分からないため、所在地をお伺いします"
NOT_ROUTED = "中小企業の経営に関するご相談には当たらないため、担当者への振り分けは行いません"


def area(tier: Tier, prefecture: str, region: str, municipality: str | None = None) -> str:
    """How a tier's area is named: 「松本市」「長野県内」「関東地域」「全国」."""
    if tier is Tier.MUNICIPALITY and municipality:
        return municipality
    if tier in (Tier.MUNICIPALITY, Tier.PREFECTURE):
        return f"{prefecture}内"
    if tier is Tier.REGION:
        return f"{region}地域"
    return "全国"


def hub_kind(capability: Capability, hub: Hub) -> str:
    """What kind of hub this is for the category: 「事業承継支援センター」 or just 「拠点」."""
    criterion = capability.hub_criterion(hub)
    return criterion.says if criterion is not None else "拠点"


def hub_reason(tier: Tier, case_prefecture: str, capability: Capability, hub: Hub) -> str:
    """「長野県内の事業承継支援センター」「松本市の拠点」「新潟県の金融機関と連携する拠点」."""
    if tier is Tier.MUNICIPALITY and hub.municipality:
        where = f"{hub.municipality}の"
    elif tier is Tier.PREFECTURE:
        where = f"{case_prefecture}内の"
    else:
        where = f"{hub.prefecture}の"
    return where + hub_kind(capability, hub)


def fallback_reason(missed: str, target: str, had_fitting_hub: bool, capability: Capability) -> str:
    """Why the search left a nearer area (``missed``) for ``target``: no fitting hub there,
    or nobody free in the fitting ones."""
    kind = f"{capability.name}に対応できる拠点" if capability.restricts_hubs else "拠点"
    if not had_fitting_hub:
        return f"{missed}に{kind}がないため、{target}から選びました"
    return f"{missed}の{kind}に受け入れ可能な担当者がいないため、{target}から選びました"


def coordinator_reason(capability: Capability, coordinator: Coordinator) -> str:
    """「税理士・事業承継の専門」, or a plain note when the person is not a specialist."""
    parts = list(capability.fitting_qualifications(coordinator))
    if capability.speciality_fits(coordinator):
        parts.append(f"{capability.name}の専門")
    if not parts:
        return f"{capability.name}の専門・資格はないが、受け入れ可能な担当者"
    return "・".join(parts)


def secondary_reason(capability: Capability, hub: Hub, coordinator: Coordinator) -> str | None:
    """「あわせて資金調達にも対応（金融機関と連携する拠点・金融機関職員）」, or None."""
    parts: list[str] = []
    if capability.restricts_hubs and (criterion := capability.hub_criterion(hub)) is not None:
        parts.append(criterion.says)
    parts.extend(capability.fitting_qualifications(coordinator))
    if capability.speciality_fits(coordinator):
        parts.append(f"{capability.name}の専門")
    if not parts:
        return None
    return f"あわせて{capability.name}にも対応（{'・'.join(parts)}）"


def load_reason(coordinator: Coordinator) -> str:
    """「担当件数 2/8」."""
    return f"担当件数 {coordinator.open_cases}/{coordinator.capacity}"


def declined_reason(declined: Sequence[str] | frozenset[str]) -> str:
    """「辞退済みの担当者 2名を除外」."""
    return f"辞退済みの担当者 {len(declined)}名を除外"


def escalation_to_hub(hub: Hub) -> str:
    """The reason of an escalation to one hub's queue."""
    return f"受け入れ可能な担当者が見つからないため、{hub.name}の受付に回しました（担当者は管理者が決めます）"


def escalation_to_region(prefecture: str, region: str, capability: Capability) -> str:
    """The reason of an escalation to a regional bureau's queue."""
    return (
        f"{prefecture}内に{capability.name}に対応できる拠点がなく、受け入れ可能な担当者も見つからないため、"
        f"{region}地域の受付に回しました（担当者は管理者が決めます）"
    )
