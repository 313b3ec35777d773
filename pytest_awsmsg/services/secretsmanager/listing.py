"""ListSecrets and BatchGetSecretValue: filters, sort order and pagination.

Filter semantics from the model's documentation: ``name``, ``tag-key``,
``tag-value``, ``primary-region`` and ``owning-service`` are case-sensitive
prefix matches, ``description`` a case-insensitive one, and ``all`` splits the
value into words and matches them against the words of the name, description,
tag keys and tag values, ignoring case. AWS's user guide ("Find secrets"): words
end wherever lowercase turns uppercase, a letter turns into a digit or back, or
at punctuation, so ``credsDatabase#892`` searches ``creds``, ``Database`` and
``892``, and ``My_Secret`` finds secrets with the word ``my`` or ``secret``.
A value starting with ``!`` negates. Values of one key are OR-ed (negated
ones must all miss); keys are AND-ed.
"""

from __future__ import annotations

import re
from typing import Any

from ...core.service import operation
from ..base import RequestContext
from .common import SecretsBase, page
from .errors import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceNotFoundException,
)
from .models import CURRENT, Secret

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
BATCH_LIMIT = 20  # BatchGetSecretValue: "up to 20 secrets" per call


def _sort_key(secret: Secret, sort_by: str) -> float | str:
    if sort_by == "name":
        return secret.name
    if sort_by == "last-accessed-date":
        return secret.last_accessed or 0.0
    if sort_by == "last-changed-date":
        return secret.source.last_changed
    return secret.created


def _attributes(secret: Secret, key: str) -> list[str]:
    src = secret.source
    if key == "name":
        return [secret.name]
    if key == "description":
        return [src.description or ""]
    if key == "tag-key":
        return [t["Key"] for t in src.tags]
    if key == "tag-value":
        return [t["Value"] for t in src.tags]
    if key == "primary-region":
        return [secret.primary_region]
    if key == "owning-service":
        return [src.owning_service] if src.owning_service else []
    return [
        *_attributes(secret, "name"),
        *_attributes(secret, "description"),
        *_attributes(secret, "tag-key"),
        *_attributes(secret, "tag-value"),
    ]


def words(text: str) -> list[str]:
    """``text`` split into words as AWS's search does, lowercased."""
    return [w.lower() for w in _WORD.findall(text)]


def _value_matches(secret: Secret, key: str, value: str) -> bool:
    attributes = _attributes(secret, key)
    if key == "all":
        known = [w for a in attributes for w in words(a)]
        return any(any(w.startswith(part) for w in known) for part in words(value))
    if key == "description":
        return any(a.lower().startswith(value.lower()) for a in attributes)
    return any(a.startswith(value) for a in attributes)


def matches(secret: Secret, filters: list[dict[str, Any]]) -> bool:
    for item in filters:
        key, values = item.get("Key", "all"), item.get("Values") or []
        positive = [v for v in values if not v.startswith("!")]
        negative = [v[1:] for v in values if v.startswith("!")]
        if positive and not any(_value_matches(secret, key, v) for v in positive):
            return False
        if any(_value_matches(secret, key, v) for v in negative):
            return False
    return True


class ListingOps(SecretsBase):
    """ListSecrets and BatchGetSecretValue."""

    def select(
        self,
        ctx: RequestContext,
        filters: list[dict[str, Any]] | None,
        *,
        include_deleted: bool = False,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> list[Secret]:
        secrets = [
            s
            for s in self.ctx_store(ctx).secrets.values()
            if (include_deleted or not s.scheduled_for_deletion) and matches(s, filters or [])
        ]
        by = sort_by or "created-date"
        # Assumption: ascending by default (the model only says "listed by CreatedDate");
        # the name breaks ties so pages are stable.
        secrets.sort(key=lambda s: (_sort_key(s, by), s.name), reverse=sort_order == "desc")
        return secrets

    @operation
    def list_secrets(
        self,
        ctx: RequestContext,
        *,
        include_planned_deletion: bool | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        filters: list[dict[str, Any]] | None = None,
        sort_order: str | None = None,
        sort_by: str | None = None,
    ) -> dict[str, Any]:
        secrets = self.select(
            ctx, filters, include_deleted=bool(include_planned_deletion), sort_by=sort_by, sort_order=sort_order
        )
        shown, token = page(secrets, next_token, max_results, 100)
        return {"SecretList": [self.describe(s, listing=True) for s in shown], "NextToken": token}

    @operation
    def batch_get_secret_value(
        self,
        ctx: RequestContext,
        *,
        secret_id_list: list[str] | None = None,
        filters: list[dict[str, Any]] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        if (secret_id_list is None) == (filters is None):
            raise InvalidParameterException("You must include Filters or SecretIdList, but not both.")
        if max_results is not None and filters is None:
            raise InvalidParameterException("You can use MaxResults only with Filters.")
        if secret_id_list is not None and len(secret_id_list) > BATCH_LIMIT:
            # The model's maximum ("up to 20 secrets"); botocore checks only the minimum.
            raise InvalidParameterException(f"SecretIdList can name at most {BATCH_LIMIT} secrets.")
        values: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        token: str | None = None
        if secret_id_list is not None:
            for secret_id in secret_id_list:
                try:
                    secret = self.live(self.find(ctx, secret_id))
                except (ResourceNotFoundException, InvalidRequestException) as error:
                    errors.append({"SecretId": secret_id, "ErrorCode": error.code, "Message": error.message})
                    continue
                entry = self._current(secret, secret_id, errors)
                if entry is not None:
                    values.append(entry)
        else:
            chosen, token = page(self.select(ctx, filters), next_token, max_results, BATCH_LIMIT)
            for secret in chosen:
                entry = self._current(secret, secret.name, errors)
                if entry is not None:
                    values.append(entry)
        return {"SecretValues": values, "NextToken": token, "Errors": errors}

    def _current(self, secret: Secret, secret_id: str, errors: list[dict[str, Any]]) -> dict[str, Any] | None:
        version = secret.values.version_for(CURRENT)
        if version is None or not version.has_value:
            errors.append(
                {
                    "SecretId": secret_id,
                    "ErrorCode": "ResourceNotFoundException",
                    "Message": "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
                }
            )
            return None
        return self.value_entry(secret, version)


__all__ = ["ListingOps", "matches"]
