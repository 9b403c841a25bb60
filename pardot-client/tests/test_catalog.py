"""The field catalog states the documented facts faithfully and resolves names.

The facts: docs/pardot-api/objects.md, docs/pardot-api/queries.md, docs/pardot-api/exports.md.
"""

from __future__ import annotations

import pytest

from pardot_client.catalog import (
    CATALOG,
    EXPORT_OBJECTS,
    PROSPECT_IMPORT_MATCH_COLUMNS,
    ArgumentKind,
    FieldType,
    ObjectSpec,
    get_object,
    stream_name,
    to_camel,
    to_snake,
)

ALL_SPECS = list(CATALOG.values())
SPEC_IDS = [spec.name for spec in ALL_SPECS]

# Fields whose v5 name is not the plain camelCase of the v3/v4 name: (object, field) -> v5 name.
V5_NAME_EXCEPTIONS: dict[tuple[str, str], str | None] = {
    ("prospect", "crm_lead_fid"): "salesforceLeadId",
    ("prospect", "crm_contact_fid"): "salesforceContactId",
    ("prospect", "crm_owner_fid"): "salesforceOwnerId",
    ("prospect", "crm_account_fid"): "salesforceAccountId",
    ("prospect", "crm_last_sync"): "salesforceLastSync",
    ("prospect", "crm_url"): "salesforceUrl",
    ("prospect", "password"): None,
    ("prospect", "is_archived"): None,
    ("campaign", "crm_fid"): "salesforceId",
    ("customField", "crm_id"): "salesforceId",
    **{("emailClick", f.name): None for f in CATALOG["emailClick"].fields},
}


def _date_bounds(spec: ObjectSpec, procedure: str) -> tuple[str, ...]:
    proc = spec.procedure(procedure)
    assert proc is not None
    return tuple(
        a.name for a in proc.arguments if a.kind in {ArgumentKind.AFTER, ArgumentKind.BEFORE}
    )


@pytest.mark.parametrize("spec", ALL_SPECS, ids=SPEC_IDS)
def test_every_object_has_an_integer_id(spec: ObjectSpec) -> None:
    id_field = spec.field("id")
    assert id_field is not None
    assert id_field.type is FieldType.INTEGER


@pytest.mark.parametrize("spec", ALL_SPECS, ids=SPEC_IDS)
def test_field_names_are_unique_snake_case_and_findable(spec: ObjectSpec) -> None:
    names = spec.field_names
    assert len(names) == len(set(names))
    v5_names = [f.v5_name for f in spec.fields if f.v5_name]
    assert len(v5_names) == len(set(v5_names))
    for f in spec.fields:
        assert f.name == to_snake(f.name), f.name
        assert spec.field(f.name) is f
        if f.v5_name:
            assert spec.field(f.v5_name) is f


@pytest.mark.parametrize("spec", ALL_SPECS, ids=SPEC_IDS)
def test_timestamps_are_datetimes(spec: ObjectSpec) -> None:
    for name in ("created_at", "updated_at"):
        f = spec.field(name)
        assert f is None or f.type is FieldType.DATETIME


def test_objects_that_track_time_have_created_at() -> None:
    without = {name for name, spec in CATALOG.items() if spec.field("created_at") is None}
    assert without == {"lifecycleStage", "emailTemplate"}


def test_v5_names_are_camel_case_except_documented_exceptions() -> None:
    for spec in ALL_SPECS:
        for f in spec.fields:
            key = (spec.name, f.name)
            if key in V5_NAME_EXCEPTIONS:
                assert f.v5_name == V5_NAME_EXCEPTIONS[key], key
            else:
                assert f.v5_name == to_camel(f.name), key
                assert to_snake(f.v5_name) == f.name, key


@pytest.mark.parametrize(
    ("snake", "camel"),
    [
        ("prospect_id", "prospectId"),
        ("id", "id"),
        ("multivariate_test_variation_id", "multivariateTestVariationId"),
        ("campaign.name", "campaign.name"),
        ("campaign.cost_per_click", "campaign.costPerClick"),
        ("prospect.first_name", "prospect.firstName"),
    ],
)
def test_case_conversion_round_trips(snake: str, camel: str) -> None:
    assert to_camel(snake) == camel
    assert to_snake(camel) == snake
    assert to_camel(camel) == camel
    assert to_snake(snake) == snake


def test_to_snake_splits_acronyms() -> None:
    assert to_snake("IPAddress") == "ip_address"
    assert to_snake("salesforceURL") == "salesforce_url"


@pytest.mark.parametrize(
    "alias",
    [
        "visitorActivity",
        "VisitorActivity",
        "visitoractivity",
        "visitor-activities",
        "Visitor-Activities",
        "visitor_activities",
        "visitor_activity",
    ],
)
def test_get_object_resolves_every_spelling(alias: str) -> None:
    assert get_object(alias) is CATALOG["visitorActivity"]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=SPEC_IDS)
def test_get_object_round_trips_each_alias(spec: ObjectSpec) -> None:
    for alias in (spec.name, spec.name.upper(), spec.v5_name, stream_name(spec)):
        assert get_object(alias) is spec


def test_production_spellings_resolve() -> None:
    assert get_object("listmembership").name == "listMembership"
    assert get_object("ProspectAccount").name == "prospectAccount"
    assert get_object("Visitor").name == "visitor"
    assert get_object("external-activities").name == "externalActivity"


def test_unknown_object_raises_key_error_naming_known_objects() -> None:
    with pytest.raises(KeyError) as excinfo:
        get_object("visitorActivites")
    message = str(excinfo.value)
    assert "visitorActivites" in message
    for name in ("visitorActivity", "prospect", "listMembership", "externalActivity"):
        assert name in message


def test_export_objects() -> None:
    assert set(EXPORT_OBJECTS) == {
        "visitorActivity",
        "prospect",
        "listMembership",
        "visitor",
        "prospectAccount",
        "externalActivity",
    }
    for name in EXPORT_OBJECTS:  # v3/v4 first; only external activities fall back to v5
        assert CATALOG[name].export_api_version == 4
        assert CATALOG[name].export_v5_fallback is (name == "externalActivity")
    for name, spec in CATALOG.items():
        if name not in EXPORT_OBJECTS:
            assert spec.export_api_version is None
            assert spec.export_procedures == ()


def test_export_procedures_match_section_9() -> None:
    expected = {
        "visitorActivity": {
            "filter_by_created_at": ("created_after", "created_before", "type", "prospect_only"),
            "filter_by_updated_at": ("updated_after", "updated_before", "type", "prospectOnly"),
        },
        "listMembership": {
            "filter_by_created_at": ("created_after", "created_before", "deleted"),
            "filter_by_updated_at": ("updated_after", "updated_before", "deleted"),
        },
        "prospect": {  # deleted: export-api-overview-a.txt (overview b leaves it out)
            "filter_by_updated_at": ("updated_after", "updated_before", "deleted"),
            "filter_by_created_at": ("created_after", "created_before", "deleted"),
        },
        "prospectAccount": {
            "filter_by_prospect_updated_at": (
                "prospect_updated_after",
                "prospect_updated_before",
                "prospect_deleted",
            ),
            "filter_by_updated_at": ("updated_after", "updated_before", "deleted"),
        },
        "visitor": {
            "filter_by_prospect_updated_at": (
                "prospect_updated_after",
                "prospect_updated_before",
                "prospect_deleted",
            ),
            "filter_by_updated_at": ("updated_after", "updated_before", "deleted"),
        },
        "externalActivity": {
            "filter_by_created_at": ("created_after", "created_before"),
            "filter_by_activity_date": ("activity_after", "activity_before"),
        },
    }
    actual = {
        name: {p.name: tuple(a.name for a in p.arguments) for p in CATALOG[name].export_procedures}
        for name in EXPORT_OBJECTS
    }
    assert actual == expected


@pytest.mark.parametrize("name", ["visitorActivity", "prospect", "visitor", "externalActivity"])
def test_after_is_required_and_before_optional(name: str) -> None:
    spec = CATALOG[name]
    for proc in spec.export_procedures:
        after = [a for a in proc.arguments if a.kind is ArgumentKind.AFTER]
        before = [a for a in proc.arguments if a.kind is ArgumentKind.BEFORE]
        assert len(after) == 1
        assert len(before) == 1
        assert after[0].required
        assert not before[0].required
        assert [a.name for a in proc.arguments if a.required] == [after[0].name]
        assert spec.field(proc.filter_field) is not None


def test_visitor_activity_updated_requires_updated_after() -> None:
    proc = CATALOG["visitorActivity"].procedure("filter_by_updated_at")
    assert proc is not None
    updated_after = proc.argument("updated_after")
    assert updated_after is not None
    assert updated_after.required
    assert updated_after.kind is ArgumentKind.AFTER
    assert proc.filter_field == "updated_at"
    type_arg = proc.argument("type")
    assert type_arg is not None
    assert type_arg.kind is ArgumentKind.ID_LIST


@pytest.mark.parametrize("procedure", ["filter_by_created_at", "filter_by_updated_at"])
@pytest.mark.parametrize("spelling", ["prospect_only", "prospectOnly"])
def test_prospect_only_accepts_both_spellings(procedure: str, spelling: str) -> None:
    proc = CATALOG["visitorActivity"].procedure(procedure)
    assert proc is not None
    arg = proc.argument(spelling)
    assert arg is not None
    assert arg.kind is ArgumentKind.BOOLEAN
    assert {arg.name, *arg.aliases} == {"prospect_only", "prospectOnly"}


@pytest.mark.parametrize(
    ("name", "procedure", "argument"),
    [
        ("listMembership", "filter_by_created_at", "deleted"),
        ("listMembership", "filter_by_updated_at", "deleted"),
        ("prospect", "filter_by_created_at", "deleted"),
        ("prospect", "filter_by_updated_at", "deleted"),
        ("visitor", "filter_by_prospect_updated_at", "prospect_deleted"),
        ("prospectAccount", "filter_by_prospect_updated_at", "prospect_deleted"),
    ],
)
def test_deleted_choices(name: str, procedure: str, argument: str) -> None:
    proc = CATALOG[name].procedure(procedure)
    assert proc is not None
    arg = proc.argument(argument)
    assert arg is not None
    assert arg.kind is ArgumentKind.CHOICE
    assert set(arg.choices) == {"true", "false", "all"}


@pytest.mark.parametrize("name", ["visitor", "prospectAccount"])
def test_prospect_deleted_takes_true_false_all_defaulting_to_false(name: str) -> None:
    """Documented true/false/all, default false (export-api-overview-a.txt and -b.txt)."""
    proc = CATALOG[name].procedure("filter_by_prospect_updated_at")
    assert proc is not None
    arg = proc.argument("prospect_deleted")
    assert arg is not None
    assert arg.kind is ArgumentKind.CHOICE
    assert arg.default == "false"


@pytest.mark.parametrize("name", ["visitor", "prospectAccount"])
def test_updated_exports_take_deleted_all_defaulting_to_false(name: str) -> None:
    """The product exports visitors and prospect accounts with deleted=all (issue 3)."""
    proc = CATALOG[name].procedure("filter_by_updated_at")
    assert proc is not None
    arg = proc.argument("deleted")
    assert arg is not None
    assert arg.kind is ArgumentKind.CHOICE
    assert set(arg.choices) == {"true", "false", "all"}
    assert arg.default == "false"


def test_procedure_filter_fields() -> None:
    external = CATALOG["externalActivity"]
    activity = external.procedure("filter_by_activity_date")
    assert activity is not None
    assert activity.filter_field == "activity_date"
    for name in ("visitor", "prospectAccount"):
        proc = CATALOG[name].procedure("filter_by_prospect_updated_at")
        assert proc is not None
        assert proc.filter_field == "updated_at"
    assert CATALOG["prospect"].procedure("filter_by_deleted_at") is None


def test_external_activity_fields_match_section_9() -> None:
    spec = CATALOG["externalActivity"]
    assert spec.v5_name == "external-activities"
    assert spec.export_api_version == 4
    assert spec.export_v5_fallback and spec.export_camel_case
    assert spec.query is None
    assert {f.v5_name: f.type for f in spec.fields} == {
        "id": FieldType.INTEGER,
        "extension": FieldType.STRING,
        "extensionSalesforceId": FieldType.STRING,
        "type": FieldType.STRING,
        "typeSalesforceId": FieldType.STRING,
        "prospectId": FieldType.INTEGER,
        "value": FieldType.STRING,
        "activityDate": FieldType.DATE,
        "createdAt": FieldType.DATETIME,
        "createdById": FieldType.INTEGER,
    }
    assert spec.field("activityDate") is spec.field("activity_date")


def test_prospect_grade_and_notes_are_not_exportable() -> None:
    prospect = CATALOG["prospect"]
    not_exportable = {f.name for f in prospect.fields if not f.exportable}
    assert not_exportable == {"grade", "notes"}
    for spec in ALL_SPECS:
        if spec.name != "prospect":
            assert all(f.exportable for f in spec.fields), spec.name


def test_prospect_import_columns() -> None:
    prospect = CATALOG["prospect"]
    importable = {f.name for f in prospect.fields if f.importable}
    assert {"email", "first_name", "last_name", "campaign_id", "score", "notes"} <= importable
    system = {"id", "created_at", "updated_at", "last_activity_at", "crm_last_sync", "crm_url"}
    assert not importable & system
    assert "grade" not in importable
    assert dict(PROSPECT_IMPORT_MATCH_COLUMNS) == {
        3: ("email",),
        4: ("prospect_id", "salesforce_fid"),
    }
    for spec in ALL_SPECS:
        if spec.name != "prospect":
            assert not any(f.importable for f in spec.fields), spec.name


def test_prospect_fields() -> None:
    prospect = CATALOG["prospect"]
    types = {f.name: f.type for f in prospect.fields}
    assert types["is_archived"] is FieldType.BOOLEAN
    assert types["score"] is FieldType.INTEGER
    assert types["last_activity_at"] is FieldType.DATETIME
    assert prospect.field("salesforceLeadId") is prospect.field("crm_lead_fid")


def test_visitor_activity_fields_are_flat() -> None:
    spec = CATALOG["visitorActivity"]
    assert spec.field("campaign") is None
    assert spec.field("campaign_id") is not None
    assert spec.field("paid_search_ad_id") is not None
    assert spec.field("paid_search_id_id") is None  # tap-pardot's misspelling


QUERY_EXPECTATIONS = {
    # name: (result_key, confirmed, sort_by)
    "campaign": ("campaign", True, ("created_at", "id", "name", "updated_at", "cost")),
    "customField": ("customField", False, ("created_at", "id", "name")),
    "customRedirect": ("customRedirect", False, ("created_at", "id", "updated_at")),
    "dynamicContent": ("dynamicContent", False, ("created_at", "id", "updated_at")),
    "emailClick": ("emailClick", True, ()),
    "form": ("form", False, ("created_at", "id", "updated_at")),
    "lifecycleHistory": ("lifecycleHistory", False, ("created_at", "id")),
    "lifecycleStage": ("lifecycleStage", False, ("position", "id")),
    "list": ("list", True, ("created_at", "id", "name", "updated_at")),
    "listMembership": ("list_membership", True, ("created_at", "id")),
    "opportunity": ("opportunity", True, ("created_at", "id", "probability", "value")),
    "prospect": ("prospect", True, ("created_at", "id", "last_activity_at", "updated_at")),
    "prospectAccount": ("prospectAccount", True, ("created_at", "id", "name", "updated_at")),
    "tag": ("tag", False, ("created_at", "id", "name", "updated_at")),
    "tagObject": ("tagObject", False, ("created_at", "id")),
    "user": ("user", True, ("created_at", "id")),
    "visit": ("visit", True, ()),
    "visitor": ("visitor", True, ("created_at", "id", "updated_at")),
    "visitorActivity": (
        "visitor_activity",
        True,
        ("created_at", "id", "prospect_id", "visitor_id", "updated_at"),
    ),
}


def test_query_specs_match_section_4_1() -> None:
    with_query = {name for name, spec in CATALOG.items() if spec.query is not None}
    assert with_query == set(QUERY_EXPECTATIONS)
    for name, (key, confirmed, sort_by) in QUERY_EXPECTATIONS.items():
        query = CATALOG[name].query
        assert query is not None
        assert query.url_name == name
        assert (query.result_key, query.result_key_confirmed, query.sort_by) == (
            key,
            confirmed,
            sort_by,
        ), name
        for sort_field in query.sort_by:
            assert CATALOG[name].field(sort_field) is not None, (name, sort_field)
        assert query.offset_paging_only == (name == "visit")
    assert CATALOG["email"].query is None
    assert CATALOG["emailTemplate"].query is None


def test_query_search_params_expand_std_and_updated() -> None:
    std = {"created_after", "created_before", "id_greater_than", "id_less_than"}
    updated = {"updated_after", "updated_before"}
    for name in ("campaign", "customRedirect", "list", "prospect", "visitor", "visitorActivity"):
        query = CATALOG[name].query
        assert query is not None
        assert std | updated <= set(query.search_params), name
    click = CATALOG["emailClick"].query
    assert click is not None
    assert "id_less_than" not in click.search_params
    assert "id_greater_than" in click.search_params
    visit = CATALOG["visit"].query
    assert visit is not None
    assert visit.search_params == ("ids", "visitor_ids", "prospect_ids")
    listm = CATALOG["listMembership"].query
    assert listm is not None
    assert {"list_id", "deleted"} <= set(listm.search_params)
    for spec in ALL_SPECS:
        if spec.query is not None:
            params = spec.query.search_params
            assert len(params) == len(set(params)), spec.name
