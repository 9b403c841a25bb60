"""Text for the data generator: value pools, and the tricky strings that break CSV and JSON code.

Kept apart from generator.py so the generator reads as logic, and so tests can import the exact
tricky values they must see come back unchanged.
"""

from __future__ import annotations

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
