"""The page's words: what each lever and size is called for a manager, and what its values mean.

Names come from ``sim.scenario`` at run time; a lever without words here is
shown with its name and the scenario's help line, so a new lever never breaks
the page.
"""

from __future__ import annotations

import re

from sim.scenario import PARAMETERS

# name: (label, what 0 means, what 0.5 means, what 1 means)
LEVER_WORDS: dict[str, tuple[str, str, str, str]] = {
    "leadership_courage": ("Leaders' courage", "leaders never take a hard decision",
                           "they act on the worst problems now and then",
                           "every week they lower silo barriers, fix failing handoffs, confront resisters "
                           "and fund the change"),
    "transparency": ("Leaders' openness", "leaders share nothing of what they know",
                     "they share the main news", "everything they know is visible to everyone"),
    "metric_alignment": ("Measured on customer outcomes", "people are measured only on their own function's output",
                         "half of what they are measured on is customer outcomes",
                         "they are measured only on customer outcomes"),
    "leader_customer_focus": ("Leaders' own customer focus", "leaders' own decisions ignore customers",
                              "customers weigh as much as anything else in their decisions",
                              "every decision they take puts the customer first"),
    "say_do_gap": ("Words ahead of deeds", "leaders do what they say",
                   "they promise noticeably more customer focus than they show",
                   "they promise full customer focus whatever they do"),
    "silo_strength": ("Strength of silos", "functions work as one team, barriers between them are low",
                      "some ties across functions, handoffs between them often stumble",
                      "closed functions: few ties across them, high barriers on every handoff"),
}

FIELD_WORDS: dict[str, str] = {
    "n_employees": "Employees",
    "n_customers": "Customer accounts",
    "weeks": "Weeks to simulate",
    "seed": "Random seed (same seed, same run)",
}


def label(name: str) -> str:
    """What a manager calls parameter ``name``."""
    if name in LEVER_WORDS:
        return LEVER_WORDS[name][0]
    return FIELD_WORDS.get(name, name.replace("_", " ").capitalize())


def meaning(name: str) -> str:
    """What 0, 0.5 and 1 mean for lever ``name`` (the scenario's help line for a lever without words)."""
    if name not in LEVER_WORDS:
        return PARAMETERS[name][1].help
    _, zero, half, one = LEVER_WORDS[name]
    return f"0: {zero}. 0.5: {half}. 1: {one}."


SHORT_NAMES = {  # functions' names where space is short
    "strategy and planning": "strategy",
    "product and innovation": "product",
    "supply chain": "supply",
    "delivery": "delivery",
    "finance and billing": "finance",
    "marketing and communications": "marketing",
    "sales": "sales",
    "customer success": "cust. success",
}


THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}([, _]\d{3})+(\.\d*)?\s*$")


def plain_number(text):
    """Text typed by a person with thousands separators removed ("4,000" and "4 000" give "4000")."""
    if isinstance(text, str) and THOUSANDS.match(text):
        return re.sub(r"[, _]", "", text)
    return text
