"""The Amazon SNS fake (``aws.sns``): topics, fan-out delivery, mobile push and SMS."""

from __future__ import annotations

from .api import SnsService
from .filter_policy import FilterPolicy, FilterPolicyError, parse_filter_policy
from .http_endpoints import HttpRequest
from .models import OutboxMessage

__all__ = ["FilterPolicy", "FilterPolicyError", "HttpRequest", "OutboxMessage", "SnsService", "parse_filter_policy"]
