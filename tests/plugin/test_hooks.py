"""The plugin's own hooks: another package adds a fake, or seeds every cloud."""

from __future__ import annotations

import pytest


def test_a_plugin_adds_a_fake_and_seeds_each_cloud(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        from pytest_awsmsg.services.base import Service, operation

        class TinyMq(Service):
            name = "mq"

            def new_store(self, account_id, region):
                return []

            @operation
            def list_brokers(self, ctx, **_):
                return {"BrokerSummaries": [{"BrokerName": n} for n in self.ctx_store(ctx)]}

        def pytest_awsmsg_services():
            return [TinyMq]

        def pytest_awsmsg_cloud_created(cloud, request):
            cloud.mq.store(cloud.account_id, cloud.region).append(request.node.name)
        """
    )
    pytester.makepyfile(
        """
        import boto3
        import pytest

        @pytest.mark.aws(region="us-east-1")
        def test_brokers(aws):
            brokers = boto3.client("mq", region_name="us-east-1").list_brokers()["BrokerSummaries"]
            assert brokers == [{"BrokerName": "test_brokers"}]
        """
    )
    # A subprocess: registering a service changes the registry for the process.
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
