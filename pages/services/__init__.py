"""Every write of the pages app, one module per concern: `content` (staff-written pages) and
`directory` (the "Find help" directory). Callers write `services.page_publish(...)`."""

from .content import (
    PAGE_EDITABLE_FIELDS,
    page_create,
    page_delete,
    page_publish,
    page_reorder,
    page_unpublish,
    page_update,
)
from .directory import (
    PARTNER_SERVICE_EDITABLE_FIELDS,
    looks_like_street_address,
    partner_service_create,
    partner_service_delete,
    partner_service_reorder,
    partner_service_update,
)

__all__ = [
    "PAGE_EDITABLE_FIELDS",
    "PARTNER_SERVICE_EDITABLE_FIELDS",
    "looks_like_street_address",
    "page_create",
    "page_delete",
    "page_publish",
    "page_reorder",
    "page_unpublish",
    "page_update",
    "partner_service_create",
    "partner_service_delete",
    "partner_service_reorder",
    "partner_service_update",
]
