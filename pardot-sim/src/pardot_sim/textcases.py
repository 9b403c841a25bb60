"""Values for the data generator: pools, type tables, shares, and the tricky strings.

Kept apart from generator.py so the generator reads as logic, and so tests can import the exact
tricky values (the strings that break CSV and JSON code) they must see come back unchanged.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Each case is planted verbatim into every text column of TEXT_COLUMNS on a few rows, so a test
# can compare the stored value with what a connector delivered. "empty" and "null" differ: an
# empty string is a value, None is no value (both are an empty CSV cell in an export).
TRICKY_TEXT: Final[dict[str, str | None]] = {
    "comma": "Smith, Jones and Partners, LLC",
    "double_quote": 'The "Quoted" Company',
    "comma_and_quotes": '"Hello, world", she said, "twice"',
    "newline": "first line\nsecond line",
    "crlf": "first line\r\nsecond line\r\n",
    "non_ascii": "Zoë Ångström",
    "cjk": "東京 株式会社",
    "emoji": "🚀 Launch 🎉 día",
    "spaces": "  padded value  ",
    "backslash_tab": "C:\\temp\\new\tfolder",
    "mixed": ' Zoë, "東京"\r\nline 2 🚀\n ',
    "empty": "",
    "null": None,
}

# The columns that receive tricky text, per object (only those the table really has are used).
TEXT_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "prospect": (
        "first_name", "last_name", "company", "job_title", "city", "address_one", "comments",
        "favorite_color__c", "internal_notes__c",
    ),
    "visitorActivity": ("details",),
    "visitor": ("campaign_parameter", "content_parameter", "term_parameter"),
    "prospectAccount": ("name", "description", "billing_address_one", "billing_city"),
    "externalActivity": ("value",),
    "campaign": ("name",),
    "list": ("name", "title", "description"),
    "customRedirect": ("name",),
    "dynamicContent": ("name", "base_content"),
    "email": ("name", "subject", "text_message"),
    "emailTemplate": ("name", "subject", "text_message"),
    "form": ("name",),
    "opportunity": ("name",),
    "tag": ("name",),
    "user": ("first_name", "last_name", "job_title"),
    "visit": ("campaign_parameter", "content_parameter"),
}  # fmt: skip

FIRST_NAMES: Final = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "John",
    "José", "Chloé", "Søren", "Łukasz", "Mei", "Aiko", "Omar", "Priya", "Zanele", "Mateo",
    "Olivia", "Liam", "Emma", "Noah", "Sofia", "Lucas", "Amara", "Ines", "Yusuf", "Hana",
)  # fmt: skip
LAST_NAMES: Final = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson",
    "Allen", "Backus", "Müller", "García", "O'Brien", "Nguyen", "Kowalski", "Tanaka", "Haddad",
    "Patel", "Dlamini", "Rossi", "Smith", "Johnson", "Brown", "Silva", "Kim", "Larsen",
)  # fmt: skip
COMPANIES: Final = (
    "Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Enterprises",
    "Hooli", "Vandelay Industries", "Soylent", "Cyberdyne Systems", "Tyrell", "Wonka Foods",
    "Aperture Science", "Black Mesa", "Oceanic Airlines", "Dunder Mifflin", "Massive Dynamic",
)  # fmt: skip
CITIES: Final = (
    "New York", "Chicago", "Austin", "Seattle", "Boston", "Denver", "London", "Paris", "Berlin",
    "São Paulo", "Montréal", "Zürich", "Tokyo", "Sydney", "Toronto", "Dublin", "Atlanta",
)  # fmt: skip
STATES: Final = ("NY", "IL", "TX", "WA", "MA", "CO", "GA", "CA", "ON", "NSW")
COUNTRIES: Final = ("United States", "Canada", "United Kingdom", "France", "Germany", "Brazil",
                    "Japan", "Australia", "Ireland", "Switzerland")  # fmt: skip
JOB_TITLES: Final = (
    "Marketing Manager", "VP of Sales", "Software Engineer", "CFO", "Director, Operations",
    "Account Executive", "Data Analyst", "Head of Growth", "Office Manager", "CTO",
)  # fmt: skip
DEPARTMENTS: Final = ("Marketing", "Sales", "Engineering", "Finance", "Operations", "IT")
INDUSTRIES: Final = ("Software", "Healthcare", "Retail", "Manufacturing", "Education", "Finance")
SOURCES: Final = ("Website", "Trade Show", "Webinar", "Referral", "Paid Search", "Import")
STREETS: Final = ("Main St", "Oak Ave", "Maple Rd", "Market St", "High St", "Elm St")
COLORS: Final = ("Red", "Green", "Blue", "Teal", "Mauve", "Burnt Orange", "Off-White")
INTERESTS: Final = ("Analytics", "Email", "Automation", "Events", "Social", "Mobile")
UTM_SOURCES: Final = ("google", "bing", "newsletter", "linkedin", "twitter", "partner")
UTM_MEDIUMS: Final = ("cpc", "email", "social", "organic", "referral", "display")
GRADES: Final = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "D", "F")
SALUTATIONS: Final = ("Mr.", "Ms.", "Mrs.", "Dr.", "Mx.", "Prof.")
DOMAINS: Final = ("example.com", "example.org", "example.net", "mail.example.co.uk")
PAGES: Final = ("pricing", "products/widget", "blog/launch", "contact", "docs/api", "careers",
                "webinars/2026", "whitepaper.pdf", "case-studies/acme", "about")  # fmt: skip

# Visitor activity (type, type_name, weight, details pool)
# (docs/pardot-api/objects.md#visitor-activity-types); 99 is
# deliberately unknown ("any other value means unknown"). Email activities have no visitor.
URLS: Final = tuple(
    f"https://www.{d}/{p}?utm_campaign=c{k}" for k in range(30) for d in DOMAINS[:2] for p in PAGES
)
DETAILS: Final[dict[str, tuple[str, ...]]] = {
    "url": URLS,
    "subject": tuple(
        f"Newsletter {k}: {s}" for k in range(60) for s in ("News", "Offer", "Invite")
    ),
    "form": tuple(f"Form: {p} signup {k}" for k in range(40) for p in ("Demo", "Trial", "Contact")),
    "event": tuple(f"Event {k} - {c}" for k in range(40) for c in CITIES[:5]),
}
VISITOR_ACTIVITY_TYPES: Final = (
    (2, "Landing Page", 260, "url"), (1, "Email Tracker", 100, "subject"),
    (6, "Email", 140, "subject"), (11, "Email", 140, "subject"), (20, "Visit", 120, "url"),
    (5, "Session", 50, "url"), (4, "Form", 40, "form"), (3, "Form", 10, "form"),
    (21, "Custom Redirect", 40, "url"), (12, "Email", 10, "subject"),
    (13, "Email", 10, "subject"), (17, "Third Party", 10, "url"), (24, "Webinar", 20, "event"),
    (25, "Webinar", 20, "event"), (27, "Video", 20, "event"), (8, "Opportunity", 8, "event"),
    (99, "Unknown Activity", 2, "event"),
)  # fmt: skip
EMAIL_ACTIVITY_TYPES: Final = frozenset((1, 6, 11, 12, 13))
VA_TYPE_IDS: Final = [t for t, _, _, _ in VISITOR_ACTIVITY_TYPES]
VA_CUM_WEIGHTS: Final = [
    sum(w for _, _, w, _ in VISITOR_ACTIVITY_TYPES[: k + 1]) for k in range(len(VA_TYPE_IDS))
]
VA_NAME: Final = {t: name for t, name, _, _ in VISITOR_ACTIVITY_TYPES}
VA_DETAILS: Final = {t: DETAILS[kind] for t, _, _, kind in VISITOR_ACTIVITY_TYPES}
TAG_TYPES: Final = (("Prospect", "prospect"), ("Campaign", "campaign"), ("List", "list"),
                    ("Form", "form"), ("Custom Redirect", "customRedirect"))  # fmt: skip
STAGES: Final = ("New", "Marketing Qualified", "Sales Qualified", "Opportunity", "Customer", "Lost")

# Prospect custom fields: (label, API name, type); the prospect table has a column per API name.
# Types are the display names the custom field query answers, numbered by `type_id` as a recorded
# answer and its client number them (docs/pardot-api/objects.md#custom-fields).
CUSTOM_FIELDS: Final = (
    ("Favorite Color", "favorite_color__c", "Text"), ("Seat Count", "seat_count__c", "Number"),
    ("Newsletter Opt In", "newsletter_opt_in__c", "Checkbox"),
    ("Renewal Date", "renewal_date__c", "Date"), ("Interests", "interests__c", "Multi-Select"),
    ("Internal Notes", "internal_notes__c", "Text Area"),
)  # fmt: skip
CUSTOM_TYPE_IDS: Final = {
    "Text": 1, "Radio Button": 2, "Checkbox": 3, "Dropdown": 4, "Text Area": 5,
    "Multi-Select": 6, "Hidden": 7, "Number": 8, "Email": 9, "Email with valid MX record": 10,
    "Email from non-free provider": 11, "Date": 12, "Relational": 13, "CRM User": 14,
}  # fmt: skip
NOTES: Final = ("Met at the booth.", "Wants a call back.", "Budget approved for Q3.")
# Multiple values (a group of boxes ticked, several options) are joined by ";".
CUSTOM_VALUES: Final[dict[str, tuple[str, ...]]] = {
    "Text": COLORS, "Number": ("0", "42", "3.14", "-7", "1000000", "12"),
    "Checkbox": ("Weekly", "Monthly", "Weekly;Monthly"), "Text Area": NOTES,
    "Multi-Select": tuple(f"{a};{b}" for a in INTERESTS for b in INTERESTS if a < b),
}  # fmt: skip
# Prospect account fields an account added (describe: custom): (label, API name, type, options).
ACCOUNT_FIELDS: Final = (
    ("Region", "region__c", "dropdown", ("North America", "EMEA", "APAC", "LATAM")),
    ("Seats Purchased", "seats_purchased__c", "number", ("5", "25", "120", "1000")),
    ("Account Tier", "account_tier__c", "text", ("Gold", "Silver", "Bronze")),
)  # fmt: skip

# Value pools by column name ("object.column" wins over "column"); a column name ending in one
# of SUFFIXES uses that pool (billing_city -> city).
POOLS: Final[dict[str, tuple[str, ...]]] = {
    "first_name": FIRST_NAMES, "last_name": LAST_NAMES, "company": COMPANIES,
    "job_title": JOB_TITLES, "department": DEPARTMENTS, "industry": INDUSTRIES,
    "source": SOURCES, "salutation": SALUTATIONS, "grade": GRADES, "comments": NOTES,
    "territory": ("East", "West", "EMEA", "APAC"), "role": ("Administrator", "Marketing", "Sales"),
    "opportunity.type": ("New Business", "Renewal", "Upsell"),
    "opportunity.stage": ("Prospecting", "Proposal", "Negotiation", "Closed Won", "Closed Lost"),
    "opportunity.status": ("Open", "Won", "Lost"),
    "prospectAccount.type": ("Customer", "Prospect", "Partner"),
    "externalActivity.type": ("Webinar Attended", "Event Registered", "Demo Requested"),
    "externalActivity.extension": ("Zoom", "Eventbrite", "Gong"),
    "externalActivity.value": ("Attended", "No show", "42", "3.5 hours"),
    "campaign_parameter": tuple(f"spring_launch_{k}" for k in range(20)),
    "medium_parameter": UTM_MEDIUMS, "source_parameter": UTM_SOURCES,
    "content_parameter": ("hero", "footer", "sidebar"), "term_parameter": ("pardot", "crm", "etl"),
    "hostname": tuple(f"host-{k}.isp.example.net" for k in range(50)),
    "ip_address": tuple(f"203.0.113.{k}" for k in range(1, 255)),
    "annual_revenue": ("< $1M", "$1M-$10M", "$10M-$100M", "> $100M"),
    "employees": ("1-10", "11-50", "51-200", "201-1000", "1000+"),
    "years_in_business": ("1", "5", "10", "25"), "rating": ("Hot", "Warm", "Cold"),
    "phone": tuple(f"+1 555-01{k:02d}" for k in range(100)),
    "fax": tuple(f"+1 555-02{k:02d}" for k in range(100)),
    "zip": tuple(f"{10_000 + 397 * k}" for k in range(100)),
    "address_one": tuple(f"{10 + k} {s}" for k in range(40) for s in STREETS),
    "address_two": ("Suite 100", "Apt 4B", "Floor 3"),
    "city": CITIES, "state": STATES, "country": COUNTRIES,
    "url": URLS, "website": URLS, "crm_url": URLS, "embed_url": URLS, "destination": URLS,
    "site": URLS,
}  # fmt: skip
SUFFIXES: Final = ("address_one", "address_two", "city", "state", "country", "zip")
# Salesforce id prefixes of CRM id columns; others get "001".
SALESFORCE_PREFIXES: Final = {
    "crm_lead_fid": "00Q", "crm_contact_fid": "003", "crm_owner_fid": "005", "crm_fid": "701",
    "crm_id": "00N",
}  # fmt: skip

# Shares of None in optional columns (default 0.1) and of True in flags (default 0.3);
# integer ranges by column name.
STRING_NULL: Final = {"address_two": 0.8, "fax": 0.7, "territory": 0.8, "comments": 0.6,
                      "notes": 0.8, "password": 1.0, "salutation": 0.5, "crm_lead_fid": 0.5,
                      "crm_contact_fid": 0.5, "crm_url": 0.5}  # fmt: skip
DATETIME_NULL: Final = {"last_activity_at": 0.2, "crm_last_sync": 0.5, "closed_at": 0.6}
TRUE_SHARE: Final = {"is_do_not_email": 0.04, "is_do_not_call": 0.06, "opted_out": 0.05,
                     "is_starred": 0.1, "is_archived": 0.02, "is_public": 0.5}  # fmt: skip
INT_RANGES: Final = {"score": (0, 250), "page_view_count": (1, 120), "cost": (0, 20_000),
                     "probability": (0, 100), "seconds_elapsed": (60, 90 * 86_400),
                     "visitor_page_view_count": (1, 30)}  # fmt: skip
FK_NULL: Final = {"prospect_account_id": 0.3, "visitor.prospect_id": 0.4, "created_by_id": 0.2}
# Share of rows whose updated_at is later than created_at (default 0.3).
UPDATED_SHARE: Final = {"visitorActivity": 0.03, "prospect": 0.7, "visitor": 0.6,
                        "listMembership": 0.2}  # fmt: skip
# The column mutate() changes per object (else the first text column, else a flag).
MUTATED_COLUMN: Final = {"prospect": "job_title", "visitorActivity": "details",
                         "visitor": "campaign_parameter", "listMembership": "opted_out",
                         "prospectAccount": "description", "externalActivity": "value"}  # fmt: skip


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace("'", "")


# ASCII name parts for email addresses (addresses stay ASCII: they are import match keys).
EMAIL_FIRST: Final = tuple(_ascii(n).lower() for n in FIRST_NAMES)
EMAIL_LAST: Final = tuple(_ascii(n).lower() for n in LAST_NAMES)
