"""The states of the intake dialogue (stored as their string value per conversation)."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a conversation stands; each waits for one kind of answer."""

    IDLE = "idle"  # nothing asked yet, or a case was just submitted
    PROBLEM = "problem"  # the owner's own words about the problem
    CATEGORY = "category"  # the classifier was unsure: pick a category
    PREFECTURE = "prefecture"  # free text, municipality, postal code, or a region choice
    REGION_PREFECTURE = "region_prefecture"  # a prefecture within the chosen region
    COMPANY = "company"
    INDUSTRY = "industry"
    EMPLOYEES = "employees"
    CONTACT = "contact"  # this chat, phone or e-mail
    PHONE = "phone"
    EMAIL = "email"
    CONSENT = "consent"
    CONFIRM = "confirm"  # the summary: submit or correct
    CORRECT = "correct"  # which item to correct
    DELETE = "delete"  # confirm erasing the owner's data


# The order of the questions after the problem is understood.
QUESTION_ORDER: tuple[State, ...] = (
    State.PREFECTURE,
    State.COMPANY,
    State.INDUSTRY,
    State.EMPLOYEES,
    State.CONTACT,
    State.CONSENT,
    State.CONFIRM,
)
