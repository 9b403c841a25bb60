"""How much data a simulated account holds: named scales (tiny, demo, large) of rows per object."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Final

from pardot_client.catalog import to_snake


@dataclass(frozen=True)
class Scale:
    """How many rows of each object populate() makes, and how far back they go."""

    prospects: int
    visitors: int
    visitor_activities: int
    list_memberships: int
    prospect_accounts: int
    external_activities: int
    campaigns: int
    custom_fields: int
    custom_redirects: int
    dynamic_contents: int
    email_clicks: int
    forms: int
    lifecycle_histories: int
    lifecycle_stages: int
    lists: int
    opportunities: int
    tags: int
    tag_objects: int
    users: int
    visits: int
    emails: int
    email_templates: int
    history_days: int  # < 365: one export (range <= 1 year) must be able to cover it

    def __post_init__(self) -> None:
        if not 1 <= self.history_days < 365:
            raise ValueError(f"history_days must be 1..364, got {self.history_days}")
        negative = [f.name for f in fields(self) if getattr(self, f.name) < 0]
        if negative:
            raise ValueError(f"negative counts: {negative}")
        referenced = ("prospects", "visitors", "campaigns", "lists", "emails", "email_templates",
                      "forms", "custom_redirects", "tags", "lifecycle_stages", "users")  # fmt: skip
        empty = [name for name in referenced if getattr(self, name) < 1]
        if empty:
            raise ValueError(f"other objects point at these, so they need rows: {empty}")

    def count(self, obj: str) -> int:
        """Rows of an object (v3/v4 name)."""
        name = to_snake(obj)
        return int(getattr(self, name[:-1] + "ies" if name.endswith("y") else name + "s"))


SCALES: Final[dict[str, Scale]] = {
    "tiny": Scale(
        prospects=450, visitors=450, visitor_activities=800, list_memberships=500,
        prospect_accounts=60, external_activities=80, campaigns=12, custom_fields=6,
        custom_redirects=8, dynamic_contents=5, email_clicks=60, forms=8, lifecycle_histories=40,
        lifecycle_stages=6, lists=15, opportunities=20, tags=10, tag_objects=30, users=5,
        visits=80, emails=15, email_templates=10, history_days=300,
    ),
    "demo": Scale(
        prospects=3_000, visitors=4_000, visitor_activities=20_000, list_memberships=6_000,
        prospect_accounts=600, external_activities=1_000, campaigns=450, custom_fields=10,
        custom_redirects=60, dynamic_contents=30, email_clicks=3_000, forms=60,
        lifecycle_histories=1_500, lifecycle_stages=6, lists=450, opportunities=300, tags=100,
        tag_objects=1_000, users=25, visits=5_000, emails=200, email_templates=80,
        history_days=120,
    ),
    "large": Scale(
        prospects=50_000, visitors=80_000, visitor_activities=1_000_000,
        list_memberships=150_000, prospect_accounts=5_000, external_activities=20_000,
        campaigns=1_000, custom_fields=20, custom_redirects=200, dynamic_contents=100,
        email_clicks=50_000, forms=200, lifecycle_histories=20_000, lifecycle_stages=6,
        lists=1_000, opportunities=2_000, tags=500, tag_objects=10_000, users=100, visits=100_000,
        emails=1_000, email_templates=300, history_days=180,
    ),
}  # fmt: skip


def scale_named(name: str, *, visitor_activities: int | None = None) -> Scale:
    """A predefined scale, optionally with another visitor-activity count (benchmarks)."""
    try:
        scale = SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; known scales: {', '.join(SCALES)}") from None
    if visitor_activities is None:
        return scale
    return replace(scale, visitor_activities=visitor_activities)
