"""Resource policy checks: syntax (MalformedPolicyDocumentException) and broad access.

AWS runs a syntax check and an automated-reasoning check (Zelkova) that the
policy "does not allow broad access to your secret, for example policies
that use a wildcard for the principal". The fake's broad-access rule is a
simplification of that, stated here so tests know what it catches: an
``Allow`` statement without a ``Condition`` whose principal is ``*`` (or
``{"AWS": "*"}``, alone or in a list), or that names its principals with
``NotPrincipal`` (everyone *except* them), is public. Any condition is
assumed to narrow it (AWS would look at what the condition says).

AWS does not document its ``CheckName`` values; the fake reports
``POLICY_SYNTAX_CHECK`` and ``BROAD_ACCESS_CHECK``.
"""

from __future__ import annotations

import json
from typing import Any

from ...core import iam
from .errors import MalformedPolicyDocumentException

_VERSIONS = ("2012-10-17", "2008-10-17")
BROAD_ACCESS = "BROAD_ACCESS_CHECK"
BROAD_ACCESS_MESSAGE = "The resource policy grants a wildcard principal access to the secret without a condition."


def parse_policy(text: str) -> dict[str, Any]:
    """The policy as a dict, or MalformedPolicyDocumentException with what is wrong."""
    try:
        document = json.loads(text)
    except ValueError:
        raise MalformedPolicyDocumentException("This resource policy contains a syntax error: invalid JSON.") from None
    if not isinstance(document, dict):
        raise MalformedPolicyDocumentException("This resource policy contains a syntax error: expected a JSON object.")
    version = document.get("Version")
    if version is not None and version not in _VERSIONS:
        raise MalformedPolicyDocumentException(f"The policy document has an invalid Version: {version}.")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise MalformedPolicyDocumentException("This resource policy contains a syntax error: missing Statement.")
    for statement in statements:
        if not isinstance(statement, dict):
            raise MalformedPolicyDocumentException("This resource policy contains a syntax error: invalid Statement.")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise MalformedPolicyDocumentException("This resource policy contains a syntax error: invalid Effect.")
        if "Action" not in statement and "NotAction" not in statement:
            raise MalformedPolicyDocumentException("This resource policy contains a syntax error: missing Action.")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise MalformedPolicyDocumentException(
                "This resource policy contains a syntax error: a resource policy statement needs a Principal."
            )
    return document


def _wildcard(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


def broad_access(document: dict[str, Any]) -> bool:
    """True when an Allow statement opens the secret to everyone (see the module docstring)."""
    return any(
        s.get("Effect") == "Allow" and ("NotPrincipal" in s or _wildcard(s.get("Principal"))) and not s.get("Condition")
        for s in iam.statements(document)
    )
