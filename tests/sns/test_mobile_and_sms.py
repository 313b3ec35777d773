"""Platform applications and endpoints (mobile push), SMS settings, sandbox and opt-outs, and the outbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_awsmsg import Cloud

GCM = {"PlatformCredential": "server-key"}


def test_platform_application_lifecycle(sns: Any) -> None:
    arn = sns.create_platform_application(Name="app", Platform="GCM", Attributes=GCM)["PlatformApplicationArn"]
    assert arn == "arn:aws:sns:us-east-1:123456789012:app/GCM/app"
    attributes = sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]
    assert attributes == {"Enabled": "true"}  # credentials are never returned
    sns.set_platform_application_attributes(PlatformApplicationArn=arn, Attributes={"EventDeliveryFailure": "arn:x"})
    listed = sns.list_platform_applications()["PlatformApplications"]
    assert listed[0]["Attributes"]["EventDeliveryFailure"] == "arn:x"
    sns.delete_platform_application(PlatformApplicationArn=arn)
    sns.delete_platform_application(PlatformApplicationArn=arn)
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_platform_application_attributes(PlatformApplicationArn=arn)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"Name": "app", "Platform": "SMOKE", "Attributes": GCM},
            "Invalid parameter: Platform Reason: SMOKE is not supported",
        ),
        (
            {"Name": "bad name", "Platform": "GCM", "Attributes": GCM},
            "Invalid parameter: bad name Reason: must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', "
            "and '.'",
        ),
        (
            {"Name": "a" * 257, "Platform": "GCM", "Attributes": GCM},
            f"Invalid parameter: {'a' * 257} Reason: must be at most 256 characters long",
        ),
        ({"Name": "", "Platform": "GCM", "Attributes": GCM}, "Invalid parameter:  Reason: cannot be empty"),
        (
            {"Name": "app", "Platform": "GCM", "Attributes": {}},
            "Invalid parameter: Attributes Reason: PlatformCredential attribute required",
        ),
        (
            {"Name": "app", "Platform": "APNS", "Attributes": GCM},
            "Invalid parameter: Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal",
        ),
        (
            {"Name": "app", "Platform": "APNS", "Attributes": {"PlatformPrincipal": "cert"}},
            "Invalid parameter: Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential",
        ),
        (
            {"Name": "app", "Platform": "GCM", "Attributes": {**GCM, "Color": "red"}},
            "Invalid parameter: Attributes Reason: Invalid attribute name: Color",
        ),
        (
            {"Name": "app", "Platform": "GCM", "Attributes": {**GCM, "Enabled": "maybe"}},
            "Invalid parameter: Attributes Reason: Invalid value for attribute: Enabled",
        ),
    ],
)
def test_platform_application_validation(sns: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.create_platform_application(**kwargs)
    assert caught.value.response["Error"]["Message"] == message


def test_endpoint_attribute_validation(sns: Any) -> None:
    app = sns.create_platform_application(Name="app", Platform="GCM", Attributes=GCM)["PlatformApplicationArn"]
    for attributes, message in (
        ({"Color": "red"}, "Invalid parameter: Attributes Reason: Invalid attribute name: Color"),
        ({"Enabled": "maybe"}, "Invalid parameter: Attributes Reason: Invalid value for attribute: Enabled"),
        (
            {"CustomUserData": "x" * 2049},
            "Invalid parameter: Attributes Reason: Invalid value for attribute: CustomUserData: must be at most "
            "2048 bytes long in UTF-8 encoding",
        ),
    ):
        with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
            sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t", Attributes=attributes)
        assert caught.value.response["Error"]["Message"] == message
    at_limit = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t", CustomUserData="x" * 2048)
    assert at_limit["EndpointArn"]


def test_endpoints_publish_and_disable(aws: Cloud, sns: Any) -> None:
    app = sns.create_platform_application(Name="app", Platform="GCM", Attributes=GCM)["PlatformApplicationArn"]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1", CustomUserData="ann")[
        "EndpointArn"
    ]
    assert (
        sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1", CustomUserData="ann")["EndpointArn"]
        == endpoint
    )
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1", CustomUserData="bob")
    assert "already exists with the same Token, but different attributes" in caught.value.response["Error"]["Message"]

    sns.publish(
        TargetArn=endpoint,
        MessageStructure="json",
        Message=json.dumps({"default": "hi", "GCM": json.dumps({"notification": {"title": "hi"}})}),
    )
    (push,) = aws.sns.push_notifications(endpoint)
    assert json.loads(push.body) == {"notification": {"title": "hi"}}
    assert push.extra == {"platform": "GCM", "token": "device-1"}

    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    with pytest.raises(sns.exceptions.EndpointDisabledException):
        sns.publish(TargetArn=endpoint, Message="hi")
    attributes = sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"]
    assert attributes == {"Enabled": "false", "Token": "device-1", "CustomUserData": "ann"}

    sns.set_platform_application_attributes(PlatformApplicationArn=app, Attributes={"Enabled": "false"})
    with pytest.raises(sns.exceptions.PlatformApplicationDisabledException):
        sns.publish(TargetArn=endpoint, Message="hi")

    pages = list(sns.get_paginator("list_endpoints_by_platform_application").paginate(PlatformApplicationArn=app))
    assert [e["EndpointArn"] for e in pages[0]["Endpoints"]] == [endpoint]
    sns.delete_endpoint(EndpointArn=endpoint)
    sns.delete_endpoint(EndpointArn=endpoint)
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_endpoint_attributes(EndpointArn=endpoint)
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.publish(TargetArn=endpoint, Message="hi")
    assert caught.value.response["Error"]["Message"] == (
        "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"
    )


def test_application_subscription_to_a_topic(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    app = sns.create_platform_application(Name="app", Platform="APNS", Attributes={**GCM, "PlatformPrincipal": "c"})
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app["PlatformApplicationArn"], Token="t")[
        "EndpointArn"
    ]
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)
    sns.publish(TopicArn=topic, Message="to every phone")
    assert [p.body for p in aws.sns.push_notifications()] == ["to every phone"]
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint + "x")


def test_email_and_email_json(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic(DisplayName="Orders")
    for protocol, address in (("email", "ann@example.com"), ("email-json", "ops@example.com")):
        sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=address)
        aws.sns.confirm(address)
    sns.publish(TopicArn=topic, Message="order 7 shipped", Subject="Shipped")
    mail = aws.sns.emails("ann@example.com")[-1]
    assert (mail.subject, mail.body) == ("Shipped", "order 7 shipped")
    assert mail.extra["unsubscribe_url"].startswith("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe")
    machine = aws.sns.emails("ops@example.com")[-1]
    assert machine.json()["Message"] == "order 7 shipped"
    assert aws.sns.verify(machine.body)


def test_pending_email_subscriptions_receive_nothing(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ann@example.com")
    sns.publish(TopicArn=topic, Message="hello")
    assert [m.kind for m in aws.sns.emails("ann@example.com")] == ["SubscriptionConfirmation"]
    assert aws.deliveries.publications[0].deliveries[0].status == "pending-confirmation"


# -- SMS ----------------------------------------------------------------------------------------


def test_sms_attributes(sns: Any) -> None:
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "Shop1"})
    assert sns.get_sms_attributes()["attributes"] == {"DefaultSMSType": "Transactional", "DefaultSenderID": "Shop1"}
    assert sns.get_sms_attributes(attributes=["DefaultSenderID"])["attributes"] == {"DefaultSenderID": "Shop1"}
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.set_sms_attributes(attributes={"DefaultSMSType": "Urgent"})
    assert caught.value.response["Error"]["Message"] == "DefaultSMSType is invalid"
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.set_sms_attributes(attributes={"Color": "red"})
    assert caught.value.response["Error"]["Message"] == "Color is not a valid attribute"
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.set_sms_attributes(attributes={"DefaultSenderID": "123"})


def test_the_sandbox_holds_sms_to_unverified_numbers(aws: Cloud, sns: Any) -> None:
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is True
    sns.publish(PhoneNumber="+15555550100", Message="hello")
    assert aws.sns.sms_messages("+15555550100") == []
    assert "SMS sandbox" in aws.deliveries.publications[0].deliveries[0].reason

    sns.create_sms_sandbox_phone_number(PhoneNumber="+15555550100", LanguageCode="en-US")
    (code,) = aws.sns.sms_messages("+15555550100")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": "+15555550100", "Status": "Pending"}
    ]
    with pytest.raises(sns.exceptions.VerificationException):
        sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550100", OneTimePassword="000000x")
    sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550100", OneTimePassword=code.extra["otp"])
    sns.publish(
        PhoneNumber="+15555550100",
        Message="hello",
        MessageAttributes={
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "Shop"},
        },
    )
    sms = aws.sns.sms_messages("+15555550100")[-1]
    assert sms.body == "hello"
    assert sms.extra["sender_id"] == "Shop"
    sns.delete_sms_sandbox_phone_number(PhoneNumber="+15555550100")
    with pytest.raises(sns.exceptions.ResourceNotFoundException):
        sns.delete_sms_sandbox_phone_number(PhoneNumber="+15555550100")


def test_opted_out_numbers(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    aws.sns.leave_sms_sandbox()
    aws.sns.opt_out("+15555550101")
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550101")["isOptedOut"] is True
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == ["+15555550101"]
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550101")
    sns.publish(TopicArn=topic, Message="sale!")
    assert aws.sns.sms_messages() == []
    assert "opted out" in aws.deliveries.publications[0].deliveries[0].reason
    with pytest.raises(sns.exceptions.OptedOutException):
        sns.create_sms_sandbox_phone_number(PhoneNumber="+15555550101")
    sns.opt_in_phone_number(phoneNumber="+15555550101")
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550101")["isOptedOut"] is False
    aws.sns.opt_out("+15555550101")
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.opt_in_phone_number(phoneNumber="+15555550101")  # once every 30 days
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.check_if_phone_number_is_opted_out(phoneNumber="555")
    assert caught.value.response["Error"]["Message"] == (
        "Invalid parameter: PhoneNumber Reason: input incorrectly formatted"
    )


def test_origination_numbers(aws: Cloud, sns: Any) -> None:
    assert sns.list_origination_numbers()["PhoneNumbers"] == []
    aws.sns.add_origination_number("+15555550199")
    (number,) = sns.list_origination_numbers(MaxResults=5)["PhoneNumbers"]
    assert number["PhoneNumber"] == "+15555550199"
    with pytest.raises(sns.exceptions.ValidationException):
        sns.list_origination_numbers(MaxResults=31)


def test_firehose_records_land_in_the_outbox(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    stream = "arn:aws:firehose:us-east-1:123456789012:deliverystream/orders"
    role = {"SubscriptionRoleArn": "arn:aws:iam::123456789012:role/sns-firehose"}
    sns.subscribe(TopicArn=topic, Protocol="firehose", Endpoint=stream, Attributes=role)
    sns.subscribe(
        TopicArn=topic,
        Protocol="firehose",
        Endpoint=stream + "-raw",
        Attributes={**role, "RawMessageDelivery": "true"},
    )
    sns.publish(TopicArn=topic, Message="order 7")
    enveloped, raw = [m for m in aws.sns.outbox if m.protocol == "firehose"]
    assert enveloped.json()["Message"] == "order 7"
    assert raw.body == "order 7"
    aws.deliveries.assert_delivered(to="orders-raw")
