"""Server mode: the test's cloud answered over HTTP, one state for both ways in."""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading

import boto3
import pytest

from pytest_awsmsg import Cloud, fake_aws

from .conftest import Client, run_python, sns_send_policy


def test_a_subprocess_and_the_test_share_one_cloud(aws: Cloud, served: str) -> None:
    sqs = boto3.client("sqs")
    sqs.create_queue(QueueName="orders")
    result = run_python(
        "import boto3\n"
        "sqs = boto3.client('sqs')\n"
        "url = sqs.get_queue_url(QueueName='orders')['QueueUrl']\n"
        "sqs.send_message(QueueUrl=url, MessageBody='from the worker')\n"
        "print(url)\n"
    )
    # The subprocess was handed a QueueUrl on the served endpoint, not AWS's.
    assert result.stdout.strip() == f"{served}/123456789012/orders"
    in_test_url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
    assert in_test_url == "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
    [message] = sqs.receive_message(QueueUrl=in_test_url)["Messages"]
    assert message["Body"] == "from the worker"
    served_calls = [c for c in aws.calls if c.thread.startswith("awsmsg-server")]
    assert [c.operation for c in served_calls] == ["GetQueueUrl", "SendMessage"]


def test_serve_is_idempotent_and_exports_the_sdk_environment(aws: Cloud) -> None:
    url = aws.serve()
    assert aws.serve() == url
    assert url.startswith("http://127.0.0.1:")
    assert os.environ["AWS_ENDPOINT_URL"] == url
    assert os.environ["AWS_REGION"] == os.environ["AWS_DEFAULT_REGION"] == aws.region
    # The kit's own key for the cloud's account, whose signatures the server checks.
    assert os.environ["AWS_ACCESS_KEY_ID"] == aws.credentials_for(aws.account_id)["aws_access_key_id"]


def test_serving_stops_with_the_cloud_and_puts_the_environment_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://localhost:4566")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with fake_aws() as aws:
        url = aws.serve()
        # A service-specific endpoint would win over AWS_ENDPOINT_URL in every SDK.
        assert "AWS_ENDPOINT_URL_SQS" not in os.environ
        port = int(url.rsplit(":", 1)[1])
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert "AWS_ENDPOINT_URL" not in os.environ
    assert os.environ["AWS_ENDPOINT_URL_SQS"] == "http://localhost:4566"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
    assert not [t for t in threading.enumerate() if t.name.startswith("awsmsg-server")]


def test_each_service_is_routed_by_what_its_requests_carry(aws: Cloud, client: Client) -> None:
    # json: X-Amz-Target
    created = client.json_call("sqs", "CreateQueue", {"QueueName": "jobs"})
    assert created.status == 200, created
    assert created.json()["QueueUrl"] == f"{client.url}/123456789012/jobs"
    machines = client.json_call("stepfunctions", "ListStateMachines", {})
    assert machines.status == 200
    assert machines.json() == {"stateMachines": []}
    secret = client.json_call("secretsmanager", "CreateSecret", {"Name": "db", "SecretString": "pw"})
    assert secret.status == 200, secret
    assert aws.secretsmanager.secret("db").value() == "pw"
    # query: the credential scope's service, SNS here
    topic = client.query_call("sns", {"Action": "CreateTopic", "Name": "events", "Version": "2010-03-31"})
    assert topic.status == 200, topic
    assert "<TopicArn>arn:aws:sns:us-east-1:123456789012:events</TopicArn>" in topic.text
    # SQS answers query too, per request, posted to the queue's own URL as old SDKs do
    sent = client.query_call(
        "sqs",
        {"Action": "SendMessage", "QueueUrl": f"{client.url}/123456789012/jobs", "MessageBody": "q"},
        path="/123456789012/jobs",
    )
    assert sent.status == 200, sent
    assert "<SendMessageResponse" in sent.text
    assert [m.body for m in aws.sqs.queue("jobs").messages] == ["q"]
    # ... and with no QueueUrl at all, the queue taken from the path, as AWS does (kombu's query client).
    bare = client.query_call("sqs", {"Action": "SendMessage", "MessageBody": "path"}, path="/123456789012/jobs")
    assert bare.status == 200, bare
    assert [m.body for m in aws.sqs.queue("jobs").messages] == ["q", "path"]


def test_account_and_region_come_from_the_credential_scope(aws: Cloud, client: Client) -> None:
    response = client.json_call(
        "sqs",
        "CreateQueue",
        {"QueueName": "theirs"},
        region="eu-west-1",
        access_key=aws.credentials_for("111122223333")["aws_access_key_id"],
    )
    assert response.status == 200, response
    record = aws.calls[-1]
    assert (record.account_id, record.region) == ("111122223333", "eu-west-1")
    assert response.json()["QueueUrl"] == f"{client.url}/111122223333/theirs"
    sqs = boto3.client("sqs", region_name="eu-west-1", **aws.credentials_for("111122223333"))
    assert sqs.list_queues()["QueueUrls"] == ["https://sqs.eu-west-1.amazonaws.com/111122223333/theirs"]


def test_one_connection_carries_many_requests(aws: Cloud, client: Client) -> None:
    client.json_call("sqs", "CreateQueue", {"QueueName": "kept"})
    first_socket = client.conn.sock
    for n in range(5):
        response = client.json_call(
            "sqs", "SendMessage", {"QueueUrl": f"{client.url}/123456789012/kept", "MessageBody": str(n)}
        )
        assert response.status == 200
        assert response.headers.get("connection") != "close"
    assert client.conn.sock is first_socket
    assert len(aws.sqs.queue("kept").messages) == 5


def test_a_chunked_request_body_is_read_whole(aws: Cloud, client: Client) -> None:
    body = json.dumps({"QueueName": "chunky", "Attributes": {"DelaySeconds": "5"}}).encode()
    request = client.signed(
        "sqs", body, {"X-Amz-Target": "AmazonSQS.CreateQueue", "Content-Type": "application/x-amz-json-1.0"}
    )
    assert request.status == 200
    # The same request again, its body sent in three chunks with an extension and a trailer.
    conn = client.conn
    conn.putrequest("POST", "/")
    conn.putheader("X-Amz-Target", "AmazonSQS.CreateQueue")
    conn.putheader("Content-Type", "application/x-amz-json-1.0")
    conn.putheader(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/sqs/aws4_request, "
        "SignedHeaders=host, Signature=00",
    )
    conn.putheader("X-Amz-Date", "20240101T000000Z")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    body = json.dumps({"QueueName": "chunked-too"}).encode()
    pieces = [body[:5], body[5:12], body[12:]]
    for i, piece in enumerate(pieces):
        ext = ";name=value" if i == 1 else ""
        conn.send(f"{len(piece):x}{ext}\r\n".encode() + piece + b"\r\n")
    conn.send(b"0\r\nX-Trailer: yes\r\n\r\n")
    response = conn.getresponse()
    assert response.status == 200
    assert json.loads(response.read())["QueueUrl"].endswith("/chunked-too")
    # and the connection is still good for the next request
    assert client.json_call("sqs", "ListQueues", {}).status == 200


def test_concurrent_connections_lose_nothing(aws: Cloud, served: str) -> None:
    boto3.client("sqs").create_queue(QueueName="busy")
    url = f"{served}/123456789012/busy"
    failures: list[object] = []

    def producer(n: int) -> None:
        c = Client(served)
        try:
            for i in range(25):
                r = c.json_call("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": f"{n}-{i}"})
                if r.status != 200:
                    failures.append(r)
        finally:
            c.close()

    threads = [threading.Thread(target=producer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures
    bodies = sorted(m.body for m in aws.sqs.queue("busy").messages)
    assert bodies == sorted(f"{n}-{i}" for n in range(8) for i in range(25))


def test_server_threads_are_named_as_the_clouds(aws: Cloud, client: Client) -> None:
    client.json_call("sqs", "ListQueues", {})
    names = {t.name for t in threading.enumerate() if t.name.startswith("awsmsg-server")}
    assert "awsmsg-server-http-accept" in names
    assert any(n.startswith("awsmsg-server-http-") and n[-1].isdigit() for n in names)
    assert aws.calls[-1].thread.startswith("awsmsg-server-http-")


def test_a_non_loopback_host_is_refused(aws: Cloud) -> None:
    with pytest.raises(ValueError, match="not a loopback address"):
        aws.serve(host="0.0.0.0")
    assert not len(aws.endpoints)


def test_faults_apply_to_served_requests(aws: Cloud, client: Client) -> None:
    client.json_call("sqs", "CreateQueue", {"QueueName": "flaky"})
    aws.faults.inject("sqs", "SendMessage", error="ThrottlingException", count=1)
    params = {"QueueUrl": f"{client.url}/123456789012/flaky", "MessageBody": "x"}
    throttled = client.json_call("sqs", "SendMessage", params)
    assert throttled.status == 400
    assert throttled.json()["__type"].endswith("ThrottlingException")
    assert client.json_call("sqs", "SendMessage", params).status == 200
    aws.faults.inject("sqs", "SendMessage", connection="closed", count=1)
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        client.json_call("sqs", "SendMessage", params)
    assert len(aws.sqs.queue("flaky").messages) == 1


def test_outages_apply_to_served_requests(aws: Cloud, client: Client) -> None:
    with aws.az_outage("use1-az1", error_share=1.0):
        response = client.json_call("sqs", "ListQueues", {})
    assert response.status == 503, response
    assert client.json_call("sqs", "ListQueues", {}).status == 200
    with aws.region_outage("eu-west-1"):
        with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
            Client(client.url).json_call("sqs", "ListQueues", {}, region="eu-west-1")
        assert client.json_call("sqs", "ListQueues", {}).status == 200


def test_sns_urls_lead_back_to_the_served_endpoint(aws: Cloud, client: Client) -> None:
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = aws.sqs.queue("inbox").arn
    topic_arn = boto3.client("sns").create_topic(Name="news")["TopicArn"]
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": sns_send_policy(queue_arn)})
    # Subscribed and published through the server: the URLs in what SNS sends point at it.
    subscribed = client.query_call(
        "sns", {"Action": "Subscribe", "TopicArn": topic_arn, "Protocol": "sqs", "Endpoint": queue_arn}
    )
    assert subscribed.status == 200, subscribed
    published = client.query_call("sns", {"Action": "Publish", "TopicArn": topic_arn, "Message": "hi"})
    assert published.status == 200, published
    [message] = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    envelope = json.loads(message["Body"])
    assert envelope["UnsubscribeURL"].startswith(client.url + "/?Action=Unsubscribe&")
    assert envelope["SigningCertURL"].startswith(client.url + "/SimpleNotificationService-")
    # Both answer, unsigned, as AWS's do.
    cert = client.request("GET", envelope["SigningCertURL"][len(client.url) :])
    assert cert.status == 200
    assert cert.text == aws.sns.signing_certificate_pem
    assert aws.sns.verify(envelope)
    unsubscribe = client.request("GET", envelope["UnsubscribeURL"][len(client.url) :])
    assert unsubscribe.status == 200, unsubscribe
    assert aws.sns.subscriptions() == []  # the GET unsubscribed it


def test_an_http_subscriptions_subscribe_url_confirms_it_over_the_server(aws: Cloud, client: Client) -> None:
    topic_arn = boto3.client("sns").create_topic(Name="hooks")["TopicArn"]
    aws.sns.http_endpoint("https://example.test/hook")
    subscribed = client.query_call(
        "sns",
        {"Action": "Subscribe", "TopicArn": topic_arn, "Protocol": "https", "Endpoint": "https://example.test/hook"},
    )
    assert subscribed.status == 200, subscribed
    [confirmation] = [json.loads(r.body) for r in aws.sns.http_requests("https://example.test/hook")]
    assert confirmation["SubscribeURL"].startswith(client.url + "/?Action=ConfirmSubscription&")
    confirmed = client.request("GET", confirmation["SubscribeURL"][len(client.url) :])
    assert confirmed.status == 200, confirmed
    assert "<ConfirmSubscriptionResult>" in confirmed.text
    assert not aws.sns.pending_subscriptions()
