"""Objects only the v5 objects API has, with their fields and how each is queried.

Fields are the ones Airbyte's source-pardot asks for (its manifest, read against real accounts),
written by their v5 names; columns are their snake_case forms. The mark of each object follows
what its query is shown to filter on (docs/pardot-api/v5-objects.md#objects-and-their-marks).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pardot_client.catalog.model import Field, FieldType, ObjectSpec, to_snake
from pardot_client.catalog.v5_model import V5Mark, V5Object, V5Query

_TYPES = {
    "i": FieldType.INTEGER, "n": FieldType.NUMBER, "s": FieldType.STRING,
    "b": FieldType.BOOLEAN, "t": FieldType.DATETIME, "d": FieldType.DATE,
    "o": FieldType.OBJECT, "a": FieldType.ARRAY,
}  # fmt: skip
_STAMPS = "createdAt:t updatedAt:t createdById:i updatedById:i"
_STAMP_FILTERS = frozenset({"id", "createdAt", "updatedAt"})


def _fields(text: str) -> tuple[Field, ...]:
    """`"id:i name:s"` -> fields by v5 name and type code (i n s b t d o a)."""
    out = []
    for token in text.split():
        v5_name, _, code = token.partition(":")
        out.append(Field(to_snake(v5_name), _TYPES[code], v5_name))
    return tuple(out)


def _object(
    name: str, collection: str, mark: V5Mark, fields: str, *,
    filters: frozenset[str] = frozenset({"id"}), order_by: frozenset[str] = frozenset({"id"}),
    deletes: bool = False, single: bool = False, per_parent: tuple[str, str] | None = None,
    parts: Mapping[str, tuple[str, ...]] | None = None,
) -> V5Object:  # fmt: skip
    spec = ObjectSpec(name=name, v5_name=collection, fields=_fields(fields))
    query = V5Query(
        collection, mark, filters, order_by, deletes=deletes, single=single,
        per_parent=per_parent, parts=dict(parts or {}),
    )  # fmt: skip
    return V5Object(spec, query)


ACCOUNT = _object(
    "account", "account", "full",
    "id:i company:s level:s website:s pluginCampaignId:i addressOne:s addressTwo:s city:s "
    "state:s zip:s territory:s country:s phone:s fax:s adminId:i maximumDailyApiCalls:i "
    "apiCallsUsed:i " + _STAMPS,
    filters=frozenset(), order_by=frozenset(), single=True,
)  # fmt: skip

DYNAMIC_CONTENT_VARIATION = _object(
    "dynamicContentVariation", "dynamic-content-variations", "full",
    "id:i dynamicContentId:i comparison:s operator:s value1:s value2:s content:s",
    filters=frozenset({"id", "dynamicContentId"}),
    per_parent=("dynamicContentId", "dynamicContent"),
)  # fmt: skip

ENGAGEMENT_STUDIO_PROGRAM = _object(
    "engagementStudioProgram", "engagement-studio-programs", "updated_at",
    "id:i status:s isDeleted:b salesforceId:s description:s businessHours:o "
    "prospectsMultipleEntry:o schedule:o scheduleCreatedById:i recipientListIds:a "
    "suppressionListIds:a " + _STAMPS,
    filters=_STAMP_FILTERS, order_by=_STAMP_FILTERS, deletes=True,
)  # fmt: skip

FILE = _object(
    "file", "files", "scan",
    "id:i name:s folderId:i campaignId:i salesforceId:s trackerDomainId:i vanityUrl:s "
    "vanityUrlPath:s url:s size:i isTracked:b bitlyIsPersonalized:b bitlyShortUrl:s " + _STAMPS,
)  # fmt: skip

FOLDER = _object(
    "folder", "folders", "scan",
    "id:i name:s parentFolderId:i path:s usePermissions:b " + _STAMPS,
    filters=frozenset({"id", "parentFolderId"}),
)  # fmt: skip

FOLDER_CONTENTS = _object(
    "folderContents", "folder-contents", "updated_at",
    "id:i folderId:i folderRef:s objectType:s objectId:i objectName:s objectRef:s " + _STAMPS,
    filters=_STAMP_FILTERS, order_by=_STAMP_FILTERS,
)  # fmt: skip

FORM_FIELD = _object(
    "formField", "form-fields", "updated_at",
    "id:i formId:i prospectApiFieldId:s type:s dataFormat:s sortOrder:i hasDependents:b "
    "hasProgressives:b hasValues:b label:s errorMessage:s cssClasses:s isRequired:b "
    "isAlwaysDisplay:b isMaintainInitialValue:b isDoNotPrefill:b " + _STAMPS,
    filters=_STAMP_FILTERS, order_by=_STAMP_FILTERS,
)  # fmt: skip

# No updatedAt among the fields read from real accounts: read whole every run.
FORM_HANDLER = _object(
    "formHandler", "form-handlers", "full",
    "id:i name:s folderId:i campaignId:i trackerDomainId:i isDataForwarded:b "
    "successLocation:s errorLocation:s isAlwaysEmail:b isCookieless:b salesforceId:s "
    "embedCode:s isDeleted:b createdAt:t createdById:i updatedById:i",
    deletes=True,
)  # fmt: skip

FORM_HANDLER_FIELD = _object(
    "formHandlerField", "form-handler-fields", "full",
    "id:i name:s formHandlerId:i dataFormat:s prospectApiFieldId:s isMaintainInitialValue:b "
    "errorMessage:s isRequired:b createdAt:t createdById:i",
)  # fmt: skip

LANDING_PAGE = _object(
    "landingPage", "landing-pages", "updated_at",
    "id:i name:s campaignId:i salesforceId:s isDeleted:b layoutType:s layoutTableBorder:i "
    "isUseRedirectLocation:b bitlyIsPersonalized:b bitlyShortUrl:s url:s vanityUrl:s "
    "folderId:i formId:i layoutTemplateId:i title:s description:s isDoNotIndex:b "
    "vanityUrlPath:s redirectLocation:s trackerDomainId:i archiveDate:d " + _STAMPS,
    filters=_STAMP_FILTERS, order_by=_STAMP_FILTERS, deletes=True,
)  # fmt: skip

LAYOUT_TEMPLATE = _object(
    "layoutTemplate", "layout-templates", "scan",
    "id:i name:s layoutContent:s siteSearchContent:s formContent:s folderId:i isDeleted:b "
    "isIncludeDefaultCss:b " + _STAMPS,
    deletes=True,
)  # fmt: skip

_SENDER = ("type", "address", "name", "userId", "prospectCustomFieldId", "accountCustomFieldId")
LIST_EMAIL = _object(
    "listEmail", "list-emails", "updated_at",
    "id:i name:s subject:s isPaused:b isSent:b isDeleted:b isOperational:b sentAt:t "
    "campaignId:i clientType:s senderOptions:a replyToOptions:a emailTemplateId:i "
    "trackerDomainId:i folderId:i " + _STAMPS,
    filters=_STAMP_FILTERS, order_by=_STAMP_FILTERS, deletes=True,
    parts={"senderOptions": _SENDER,
           "replyToOptions": tuple(p for p in _SENDER if p != "name")},
)  # fmt: skip

TRACKER_DOMAIN = _object(
    "trackerDomain", "tracker-domains", "scan",
    "id:i domain:s isPrimary:b isDeleted:b defaultCampaignId:i httpsStatus:s sslStatus:s "
    "sslStatusDetails:s sslRequestedById:i validationStatus:s validatedAt:t "
    "vanityUrlStatus:s trackingCode:s " + _STAMPS,
    deletes=True,
)  # fmt: skip

# Page views never change once recorded: read past the last id.
VISITOR_PAGE_VIEW = _object(
    "visitorPageView", "visitor-page-views", "id",
    "id:i url:s title:s visitorId:i campaignId:i visitId:i durationInSeconds:i "
    "salesforceId:s createdAt:t",
    filters=frozenset({"id", "createdAt", "updatedAt", "visitorId", "visitId"}),
    order_by=frozenset({"id", "createdAt"}),
)  # fmt: skip

V5_OBJECTS: Mapping[str, V5Object] = MappingProxyType({
    o.stream: o for o in (
        ACCOUNT, DYNAMIC_CONTENT_VARIATION, ENGAGEMENT_STUDIO_PROGRAM, FILE, FOLDER,
        FOLDER_CONTENTS, FORM_FIELD, FORM_HANDLER, FORM_HANDLER_FIELD, LANDING_PAGE,
        LAYOUT_TEMPLATE, LIST_EMAIL, TRACKER_DOMAIN, VISITOR_PAGE_VIEW,
    )
})  # fmt: skip
