"""The capability table: the packaged file follows DESIGN.md, and mistakes are named."""

from __future__ import annotations

import copy
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from nlp.taxonomy import Taxonomy
from routing import CapabilityError, CapabilityTable, Hub, load_capabilities
from routing.directory import Coordinator, CoordinatorKind

DEFAULT: dict[str, Any] = yaml.safe_load((files("routing") / "capabilities.yaml").read_text("utf-8"))


def hub(**fields: Any) -> Hub:
    values: dict[str, Any] = {
        "id": "h",
        "name": "拠点",
        "institution_type": "商工会議所",
        "prefecture": "長野県",
        "region": "関東",
        **fields,
    }
    return Hub(**values)


def test_the_packaged_table_covers_the_taxonomy(capabilities: CapabilityTable, taxonomy: Taxonomy) -> None:
    routable = {c.id for c in taxonomy.categories if c.routable}
    assert set(capabilities.categories) == routable
    assert capabilities.not_routed == {"other"}
    assert all(c.qualifications and c.specialities for c in capabilities.categories.values())


@pytest.mark.parametrize(
    ("label", "fits", "does_not_fit"),
    [
        ("succession", hub(succession_center=True), hub()),
        ("financing", hub(institution_type="信用金庫"), hub(partner_types=frozenset({"大学"}))),
        ("financing", hub(partner_types=frozenset({"金融機関"})), hub(institution_type="農協")),
        ("technology", hub(partner_types=frozenset({"公設試"})), hub(partner_types=frozenset({"金融機関"}))),
        ("technology", hub(institution_type="大学"), hub()),
        ("agri_commerce", hub(institution_type="農協"), hub(succession_center=True)),
        ("agri_commerce", hub(partner_types=frozenset({"漁協"})), hub(partner_types=frozenset({"公設試"}))),
        ("hr", hub(partner_types=frozenset({"職業訓練校"})), hub(partner_types=frozenset({"建設業協会"}))),
    ],
)
def test_hub_requirements_follow_the_routing_hints(
    capabilities: CapabilityTable, label: str, fits: Hub, does_not_fit: Hub
) -> None:
    assert capabilities[label].hub_fits(fits)
    assert not capabilities[label].hub_fits(does_not_fit)


@pytest.mark.parametrize("label", ["it", "management", "new_business", "startup"])
def test_some_categories_fit_every_hub(capabilities: CapabilityTable, label: str) -> None:
    assert not capabilities[label].restricts_hubs
    assert capabilities[label].hub_fits(hub(active=False, institution_type="その他"))


@pytest.mark.parametrize(
    ("label", "qualification"),
    [
        ("succession", "税理士"),
        ("succession", "中小企業診断士"),
        ("it", "ITコーディネータ"),
        ("management", "中小企業診断士"),
        ("management", "経営指導員"),
        ("new_business", "中小企業診断士"),
        ("financing", "金融機関職員"),
        ("financing", "税理士"),
        ("startup", "中小企業診断士"),
    ],
)
def test_coordinator_hints_follow_design(
    capabilities: CapabilityTable, label: str, qualification: str
) -> None:
    person = Coordinator("c", "h", "担当", CoordinatorKind.EXTERNAL, (qualification,), frozenset(), 5, 0)
    assert capabilities[label].coordinator_fit(person) == 1
    expert = Coordinator(
        "c", "h", "担当", CoordinatorKind.EXTERNAL, (qualification,), frozenset({label}), 5, 0
    )
    assert capabilities[label].coordinator_fit(expert) == 2


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[part]
        del node[last]

    return change


MISTAKES = [
    ("wrong version", _set("version", 2), "version: unsupported version 2"),
    ("unknown top-level key", _set("routes", {}), "top level: unknown keys ['routes']"),
    ("no vocabulary", _drop("vocabulary"), "top level: missing keys ['vocabulary']"),
    ("categories not a mapping", _set("categories", ["succession"]), "categories: expected a mapping"),
    ("misspelt key", _set("categories.hr.hubs", {}), "categories.hr: unknown keys ['hubs']"),
    (
        "unknown partner type",
        _set("categories.financing.hub.any_of.1.partner_types", ["銀行"]),
        "categories.financing.hub.any_of[1].partner_types: unknown partner type ['銀行']",
    ),
    (
        "unknown institution type",
        _set("categories.agri_commerce.hub.any_of.0.institution_types", ["JA"]),
        "categories.agri_commerce.hub.any_of[0].institution_types: unknown institution type ['JA']",
    ),
    (
        "unknown qualification",
        _set("categories.succession.coordinator.qualifications", ["税理士", "税里士"]),
        "categories.succession.coordinator.qualifications: unknown qualification ['税里士']",
    ),
    (
        "two criteria in one alternative",
        _set(
            "categories.hr.hub.any_of.0",
            {"partner_types": ["職業訓練校"], "succession_center": True, "says": "x"},
        ),
        "categories.hr.hub.any_of[0]: expected exactly one of",
    ),
    (
        "succession_center false",
        _set("categories.succession.hub.any_of.0.succession_center", False),
        "categories.succession.hub.any_of[0].succession_center: only `true` is meaningful",
    ),
    (
        "no says",
        _set("categories.hr.hub.any_of.0", {"partner_types": ["職業訓練校"]}),
        "categories.hr.hub.any_of[0]: missing keys ['says']",
    ),
    ("empty any_of", _set("categories.hr.hub.any_of", []), "categories.hr.hub.any_of: expected a non-empty"),
    (
        "speciality not a category",
        _set("categories.it.coordinator.specialities", ["dx"]),
        "categories.it.coordinator.specialities: unknown categories ['dx']",
    ),
    (
        "duplicate value",
        _set("categories.it.coordinator.qualifications", ["ITコーディネータ"] * 2),
        "categories.it.coordinator.qualifications: lists a value twice",
    ),
    ("empty name", _set("categories.it.name", " "), "categories.it.name: expected a non-empty string"),
    (
        "routed and not routed",
        _set("not_routed", ["other", "it"]),
        "not_routed: categories both routed and not routed ['it']",
    ),
    ("missing category", _drop("categories.hr"), "no entry for categories ['hr']"),
    (
        "category outside the taxonomy",
        _set("categories.astrology", copy.deepcopy(DEFAULT["categories"]["it"])),
        "categories not in the taxonomy ['astrology']",
    ),
    ("other not listed", _set("not_routed", ["spam"]), "not_routed must list exactly"),
]


@pytest.mark.parametrize(("change", "message"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_mistakes_are_refused_with_their_place(
    tmp_path: Path, taxonomy: Taxonomy, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    doc = copy.deepcopy(DEFAULT)
    change(doc)
    path = tmp_path / "capabilities.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    with pytest.raises(CapabilityError) as caught:
        load_capabilities(path, taxonomy)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_an_edited_copy_is_used(tmp_path: Path, taxonomy: Taxonomy) -> None:
    doc = copy.deepcopy(DEFAULT)
    doc["categories"]["it"]["coordinator"]["qualifications"] = ["ITコーディネータ", "中小企業診断士"]
    path = tmp_path / "capabilities.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    assert load_capabilities(path, taxonomy)["it"].qualifications == ("ITコーディネータ", "中小企業診断士")


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(CapabilityError, match="cannot read"):
        load_capabilities(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("categories: [unclosed", "utf-8")
    with pytest.raises(CapabilityError, match="not valid YAML"):
        load_capabilities(bad)
    bad.write_text("just text", "utf-8")
    with pytest.raises(CapabilityError, match="top level: expected a mapping"):
        load_capabilities(bad)
