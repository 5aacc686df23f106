"""Customers, products and prices (`POST /v1/customers`, `/v1/products`, `/v1/prices`, and inline
`price_data`)."""

from __future__ import annotations

from devstripe import objects as o
from devstripe.resources.params import (
    StandInError,
    check_known,
    check_statement_descriptor,
    int_param,
    metadata_param,
    missing,
)


class CustomersMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

    def api_create_customer(self, params: dict) -> dict:
        check_known(params, {"email", "name", "description", "phone", "metadata"})
        return self._store(
            o.customer(
                email=params.get("email"),
                name=params.get("name"),
                description=params.get("description"),
                phone=params.get("phone"),
                metadata=metadata_param(params.get("metadata"), "metadata"),
            )
        )

    def _new_customer(self, email: str | None, name: str | None = None) -> dict:
        cust = self._store(o.customer(email=email, name=name))
        self._emit("customer.created", cust)
        return cust

    def api_create_product(self, params: dict) -> dict:
        check_known(params, {"name", "description", "metadata", "statement_descriptor", "active"})
        if not params.get("name"):
            raise missing("name")
        return self._store(
            o.product(
                name=params["name"],
                description=params.get("description"),
                metadata=metadata_param(params.get("metadata"), "metadata"),
                statement_descriptor=check_statement_descriptor(
                    params.get("statement_descriptor"), "statement_descriptor"
                ),
            )
        )

    def api_create_price(self, params: dict) -> dict:
        check_known(
            params,
            {
                "currency",
                "unit_amount",
                "product",
                "product_data",
                "recurring",
                "metadata",
                "nickname",
                "active",
            },
        )
        return self._store(self._price_from(params, "", inline=False))

    def _price_from(self, data: dict, prefix: str, *, inline: bool, product_key: str = "product") -> dict:
        """A price from `price_data`-style params (also POST /v1/prices). `prefix` names the params
        in errors, e.g. "line_items[0][price_data]"."""

        def name(key: str) -> str:
            return f"{prefix}[{key}]" if prefix else key

        if not isinstance(data, dict):
            raise StandInError("Invalid object", param=prefix)
        if not data.get("currency"):
            raise missing(name("currency"))
        unit_amount = int_param(data, "unit_amount", name("unit_amount"), minimum=0)
        if unit_amount is None:
            raise missing(name("unit_amount"))
        if data.get("product"):
            product_id = self._find("product", data["product"], name("product"), status=400)["id"]
        elif product_key == "product_data" and isinstance(data.get("product_data"), dict):
            product_name = data["product_data"].get("name")
            if not product_name:
                raise missing(name("product_data][name"))
            prod = self._store(
                o.product(
                    name=product_name,
                    description=data["product_data"].get("description"),
                    metadata=metadata_param(
                        data["product_data"].get("metadata"), name("product_data][metadata")
                    ),
                )
            )
            product_id = prod["id"]
        else:
            raise missing(name(product_key))
        rec = None
        if data.get("recurring") not in (None, ""):
            rec_params = data["recurring"]
            interval = rec_params.get("interval") if isinstance(rec_params, dict) else None
            if interval not in ("day", "week", "month", "year"):
                raise StandInError(
                    "Invalid recurring[interval]: must be one of day, week, month, or year",
                    param=name("recurring][interval"),
                )
            count = int_param(rec_params, "interval_count", name("recurring][interval_count"), minimum=1) or 1
            rec = o.recurring(interval, count)
        return o.price(
            currency=str(data["currency"]).lower(),
            unit_amount=unit_amount,
            product=product_id,
            recurring=rec,
            active=not inline,  # Stripe creates inline price_data prices inactive
            metadata=metadata_param(data.get("metadata"), name("metadata")),
            nickname=data.get("nickname"),
        )
