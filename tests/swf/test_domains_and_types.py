"""Domains, workflow and activity types, tags: SWF's control plane through boto3."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ACTIVITY, DOMAIN, WORKFLOW


def test_domain_life_cycle(swf: Any) -> None:
    swf.register_domain(name="billing", description="money", workflowExecutionRetentionPeriodInDays="30")
    described = swf.describe_domain(name="billing")
    assert described["domainInfo"]["status"] == "REGISTERED"
    assert described["domainInfo"]["description"] == "money"
    assert described["domainInfo"]["arn"] == "arn:aws:swf:us-east-1:123456789012:/domain/billing"
    assert described["configuration"] == {"workflowExecutionRetentionPeriodInDays": "30"}

    swf.deprecate_domain(name="billing")
    assert swf.describe_domain(name="billing")["domainInfo"]["status"] == "DEPRECATED"
    with pytest.raises(swf.exceptions.DomainDeprecatedFault):
        swf.deprecate_domain(name="billing")
    swf.undeprecate_domain(name="billing")
    with pytest.raises(swf.exceptions.DomainAlreadyExistsFault):
        swf.undeprecate_domain(name="billing")


def test_registering_a_domain_twice_fails_even_when_deprecated(swf: Any) -> None:
    swf.register_domain(name="billing", workflowExecutionRetentionPeriodInDays="1")
    swf.deprecate_domain(name="billing")
    with pytest.raises(swf.exceptions.DomainAlreadyExistsFault) as caught:
        swf.register_domain(name="billing", workflowExecutionRetentionPeriodInDays="1")
    assert caught.value.response["Error"]["Message"] == "billing"


def test_unknown_domain(swf: Any) -> None:
    with pytest.raises(swf.exceptions.UnknownResourceFault) as caught:
        swf.describe_domain(name="nowhere")
    assert caught.value.response["Error"]["Message"] == "Unknown domain: nowhere"


@pytest.mark.parametrize("retention", ["91", "-1", "seven"])
def test_retention_must_be_zero_to_ninety_days_or_none(swf: Any, retention: str) -> None:
    with pytest.raises(swf.exceptions.ClientError) as caught:
        swf.register_domain(name="billing", workflowExecutionRetentionPeriodInDays=retention)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    swf.register_domain(name="billing", workflowExecutionRetentionPeriodInDays="NONE")


@pytest.mark.parametrize("name", ["a:b", "a/b", "a|b", "arn", "tab\there"])
def test_names_refuse_separators_and_control_characters(swf: Any, name: str) -> None:
    with pytest.raises(swf.exceptions.ClientError) as caught:
        swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_list_domains_by_status_reverse_order_and_pages(swf: Any) -> None:
    for name in ["c", "a", "b", "d"]:
        swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    swf.deprecate_domain(name="d")
    listed = swf.list_domains(registrationStatus="REGISTERED")
    assert [d["name"] for d in listed["domainInfos"]] == ["a", "b", "c"]
    reverse = swf.list_domains(registrationStatus="REGISTERED", reverseOrder=True)
    assert [d["name"] for d in reverse["domainInfos"]] == ["c", "b", "a"]
    assert [d["name"] for d in swf.list_domains(registrationStatus="DEPRECATED")["domainInfos"]] == ["d"]
    first = swf.list_domains(registrationStatus="REGISTERED", maximumPageSize=2)
    assert [d["name"] for d in first["domainInfos"]] == ["a", "b"]
    second = swf.list_domains(registrationStatus="REGISTERED", maximumPageSize=2, nextPageToken=first["nextPageToken"])
    assert [d["name"] for d in second["domainInfos"]] == ["c"]
    assert "nextPageToken" not in second
    pages = swf.get_paginator("list_domains").paginate(registrationStatus="REGISTERED", maximumPageSize=1)
    assert [d["name"] for page in pages for d in page["domainInfos"]] == ["a", "b", "c"]


def test_a_page_token_of_another_listing_is_refused(swf: Any) -> None:
    for name in ["a", "b"]:
        swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    token = swf.list_domains(registrationStatus="REGISTERED", maximumPageSize=1)["nextPageToken"]
    with pytest.raises(swf.exceptions.ClientError) as caught:
        swf.list_domains(registrationStatus="DEPRECATED", nextPageToken=token)
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_domain_tags(swf: Any) -> None:
    swf.register_domain(
        name="billing", workflowExecutionRetentionPeriodInDays="1", tags=[{"key": "team", "value": "pay"}]
    )
    arn = swf.describe_domain(name="billing")["domainInfo"]["arn"]
    swf.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}, {"key": "team", "value": "core"}])
    assert swf.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "team", "value": "core"},
        {"key": "env", "value": "test"},
    ]
    swf.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert swf.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "test"}]
    with pytest.raises(swf.exceptions.TooManyTagsFault):
        swf.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.list_tags_for_resource(resourceArn=arn + "-gone")


def test_type_registration_keeps_its_defaults(swf: Any, types: None) -> None:
    described = swf.describe_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    assert described["typeInfo"]["activityType"] == ACTIVITY
    assert described["typeInfo"]["status"] == "REGISTERED"
    assert described["configuration"] == {
        "defaultTaskList": {"name": "workers"},
        "defaultTaskScheduleToStartTimeout": "60",
        "defaultTaskScheduleToCloseTimeout": "600",
        "defaultTaskStartToCloseTimeout": "300",
        "defaultTaskHeartbeatTimeout": "NONE",
    }
    workflow = swf.describe_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    assert workflow["configuration"]["defaultChildPolicy"] == "TERMINATE"
    assert workflow["configuration"]["defaultExecutionStartToCloseTimeout"] == "3600"
    with pytest.raises(swf.exceptions.TypeAlreadyExistsFault) as caught:
        swf.register_workflow_type(domain=DOMAIN, **WORKFLOW)
    assert caught.value.response["Error"]["Message"] == "WorkflowType=[name=process-order, version=1]"


@pytest.mark.requires_api("swf", "DeleteActivityType")
def test_type_deprecation_and_deletion(swf: Any, types: None) -> None:
    with pytest.raises(swf.exceptions.TypeNotDeprecatedFault):
        swf.delete_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    with pytest.raises(swf.exceptions.TypeAlreadyExistsFault):
        swf.undeprecate_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    swf.deprecate_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    info = swf.describe_activity_type(domain=DOMAIN, activityType=ACTIVITY)["typeInfo"]
    assert info["status"] == "DEPRECATED"
    assert "deprecationDate" in info
    with pytest.raises(swf.exceptions.TypeDeprecatedFault):
        swf.deprecate_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    swf.undeprecate_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    swf.deprecate_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    swf.delete_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    with pytest.raises(swf.exceptions.UnknownResourceFault) as caught:
        swf.describe_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    assert caught.value.response["Error"]["Message"] == "Unknown type: ActivityType=[name=charge, version=1]"
    swf.deprecate_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    swf.undeprecate_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    swf.deprecate_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    swf.delete_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    assert swf.list_workflow_types(domain=DOMAIN, registrationStatus="DEPRECATED")["typeInfos"] == []


def test_list_types_filters_by_name_and_status_with_pages(swf: Any, domain: str) -> None:
    for name, version in [("b", "1"), ("a", "2"), ("a", "1"), ("c", "1")]:
        swf.register_activity_type(domain=domain, name=name, version=version)
    swf.deprecate_activity_type(domain=domain, activityType={"name": "c", "version": "1"})

    def listed(**kwargs: Any) -> list[tuple[str, str]]:
        infos = swf.list_activity_types(domain=domain, **kwargs)["typeInfos"]
        return [(i["activityType"]["name"], i["activityType"]["version"]) for i in infos]

    assert listed(registrationStatus="REGISTERED") == [("a", "1"), ("a", "2"), ("b", "1")]
    assert listed(registrationStatus="REGISTERED", name="a") == [("a", "1"), ("a", "2")]
    assert listed(registrationStatus="REGISTERED", reverseOrder=True)[0] == ("b", "1")
    assert listed(registrationStatus="DEPRECATED") == [("c", "1")]
    pages = swf.get_paginator("list_activity_types").paginate(
        domain=domain, registrationStatus="REGISTERED", maximumPageSize=2
    )
    assert sum(len(p["typeInfos"]) for p in pages) == 3


def test_deprecating_a_domain_deprecates_its_types_and_refuses_new_work(swf: Any, types: None) -> None:
    swf.deprecate_domain(name=DOMAIN)
    assert swf.describe_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)["typeInfo"]["status"] == "DEPRECATED"
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.register_activity_type(domain=DOMAIN, name="other", version="1")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.start_workflow_execution(domain=DOMAIN, workflowId="w", workflowType=WORKFLOW)
    # Visibility still works on a deprecated domain.
    assert swf.list_activity_types(domain=DOMAIN, registrationStatus="DEPRECATED")["typeInfos"]


def test_type_timeouts_must_be_seconds_or_none(swf: Any, domain: str) -> None:
    with pytest.raises(swf.exceptions.ClientError) as caught:
        swf.register_activity_type(domain=domain, name="x", version="1", defaultTaskStartToCloseTimeout="5m")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(swf.exceptions.ClientError):
        swf.register_workflow_type(domain=domain, name="x", version="1", defaultExecutionStartToCloseTimeout="NONE")
