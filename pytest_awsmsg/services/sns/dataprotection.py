"""Message data protection: policies stored as given, and inbound statements applied.

A policy (``Name``, ``Version`` 2021-06-01, ``Statement`` list) is validated at
CreateTopic/PutDataProtectionPolicy. On Publish, inbound statements run on the
message body: ``Deny`` refuses the publish (403 AuthorizationError),
``Deidentify`` masks or redacts what matched, ``Audit`` changes nothing (its
findings go to log destinations the kit does not fake).

Only the managed data identifiers below are detected, with simple patterns;
a policy naming another identifier, a custom one, or an outbound statement is
refused when it is set, with a message saying so, rather than silently
ignored (assumption: tests want to know their policy is not exercised).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import AuthorizationErrorException, invalid

_PREFIX = "arn:aws:dataprotection::aws:data-identifier/"


def _luhn(digits: str) -> bool:
    numbers = [int(c) for c in digits if c.isdigit()]
    if not 13 <= len(numbers) <= 19:
        return False
    total = 0
    for index, value in enumerate(reversed(numbers)):
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _pattern(regex: str, check: Callable[[str], bool] | None = None) -> Callable[[str], list[tuple[int, int]]]:
    compiled = re.compile(regex)

    def find(text: str) -> list[tuple[int, int]]:
        return [m.span() for m in compiled.finditer(text) if check is None or check(m.group(0))]

    return find


DETECTORS: dict[str, Callable[[str], list[tuple[int, int]]]] = {
    "EmailAddress": _pattern(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    "CreditCardNumber": _pattern(r"\b(?:\d[ -]?){12,18}\d\b", _luhn),
    "AwsSecretKey": _pattern(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"),
    "IpAddress": _pattern(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b"),
    "PhoneNumber-US": _pattern(r"(?:\+1[ -]?)?\(?\b\d{3}\)?[ -.]?\d{3}[ -.]?\d{4}\b"),
    "Ssn-US": _pattern(r"\b\d{3}-\d{2}-\d{4}\b"),
}


@dataclass
class Statement:
    identifiers: list[str]
    operation: str  # Deny, Deidentify, Audit
    mask: str | None  # Deidentify: the mask character, or None to redact


def parse_policy(text: str) -> list[Statement]:
    """Validate a DataProtectionPolicy document; return its inbound statements."""
    if len(text) > 30_720:
        raise invalid("DataProtectionPolicy", "the policy is longer than 30,720 characters")
    try:
        policy = json.loads(text)
    except ValueError:
        raise invalid("DataProtectionPolicy", "the policy is not valid JSON") from None
    if not isinstance(policy, dict) or not policy.get("Name") or policy.get("Version") != "2021-06-01":
        raise invalid("DataProtectionPolicy", "a policy needs a Name and Version 2021-06-01")
    statements = policy.get("Statement")
    if not isinstance(statements, list) or not statements:
        raise invalid("DataProtectionPolicy", "a policy needs a non-empty Statement list")
    parsed = []
    audits = 0
    for raw in statements:
        parsed.append(_statement(raw))
        audits += parsed[-1].operation == "Audit"
    if audits > 1:
        raise invalid("DataProtectionPolicy", "a policy can have only one Audit statement")
    return parsed


def _statement(raw: Any) -> Statement:
    if not isinstance(raw, dict):
        raise invalid("DataProtectionPolicy", "every statement must be an object")
    direction = raw.get("DataDirection", "Inbound")
    if direction != "Inbound":
        raise invalid(
            "DataProtectionPolicy",
            f"pytest-awsmsg applies Inbound statements only; DataDirection {direction} is not faked",
        )
    identifiers = raw.get("DataIdentifier")
    if not isinstance(identifiers, list) or not identifiers:
        raise invalid("DataProtectionPolicy", "every statement needs a DataIdentifier list")
    names = []
    for arn in identifiers:
        name = str(arn).removeprefix(_PREFIX)
        if name not in DETECTORS:
            raise invalid(
                "DataProtectionPolicy",
                f"pytest-awsmsg does not detect data identifier {arn}; it knows "
                + ", ".join(_PREFIX + n for n in DETECTORS),
            )
        names.append(name)
    operation = raw.get("Operation")
    if not isinstance(operation, dict) or len(operation) != 1:
        raise invalid("DataProtectionPolicy", "every statement needs exactly one Operation")
    ((kind, config),) = operation.items()
    mask: str | None = None
    if kind == "Deidentify":
        config = config if isinstance(config, dict) else {}
        if "MaskConfig" in config:
            mask = str((config["MaskConfig"] or {}).get("MaskWithCharacter", "*"))[:1] or "*"
        elif "RedactConfig" not in config:
            raise invalid("DataProtectionPolicy", "Deidentify needs a MaskConfig or a RedactConfig")
    elif kind not in ("Deny", "Audit"):
        raise invalid("DataProtectionPolicy", f"unknown operation {kind}")
    return Statement(names, kind, mask)


def apply_inbound(text: str, statements: list[Statement], topic_arn: str) -> str:
    """The message after the policy: refused (Deny), masked/redacted (Deidentify) or unchanged."""
    for statement in statements:
        if statement.operation != "Deny":
            continue
        for name in statement.identifiers:
            if DETECTORS[name](text):
                raise AuthorizationErrorException(
                    f"Message blocked by the data protection policy of {topic_arn}: it contains {name} data."
                )
    for statement in statements:
        if statement.operation != "Deidentify":
            continue
        for name in statement.identifiers:
            spans = DETECTORS[name](text)
            for start, end in reversed(spans):
                replacement = statement.mask * (end - start) if statement.mask else ""
                text = text[:start] + replacement + text[end:]
    return text
