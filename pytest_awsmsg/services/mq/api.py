"""The Amazon MQ fake's control plane: one method per operation of botocore's ``mq`` model.

Brokers move through their states in virtual time (``CREATION_IN_PROGRESS``
to ``RUNNING``, ``REBOOT_IN_PROGRESS``, ``DELETION_IN_PROGRESS``), changes
made with UpdateBroker and to ActiveMQ users wait as pending until the next
reboot, and configurations keep every revision. Validation follows the rules
the model's documentation and the developer guide state; where Amazon MQ's
exact wording is not documented, messages are assumed and kept short.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timezone
from typing import Any

from ...core.service import RequestContext, Service, operation
from . import catalog
from .configs import check_data, default_data
from .errors import BadRequestException, ConflictException, NotFoundException
from .models import DEFAULT_DURATIONS, Broker, Configuration, MqStore, Revision, User
from .view import MqView
from .wire import existing_wire, serve_broker_names

_BROKER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
_ACTIVEMQ_USERNAME = re.compile(r"^[A-Za-z0-9._~-]{2,100}$")
_RABBITMQ_USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,100}$")
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
MAX_SECURITY_GROUPS = 5
MAX_GROUPS = 20
MAX_BROKERS_PER_REGION = 50
# UpdateBroker members that wait for a reboot, and the DescribeBroker member showing each meanwhile.
_PENDING = {
    "AuthenticationStrategy": "PendingAuthenticationStrategy",
    "EngineVersion": "PendingEngineVersion",
    "HostInstanceType": "PendingHostInstanceType",
    "LdapServerMetadata": "PendingLdapServerMetadata",
    "SecurityGroups": "PendingSecurityGroups",
    "DataReplicationMode": "PendingDataReplicationMode",
    "StorageSize": "PendingStorageSize",
}


def _iso(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


class MqService(Service[MqStore]):
    """Amazon MQ brokers (ActiveMQ and RabbitMQ), configurations, users and tags."""

    name = "mq"
    view_class = MqView
    wire_operations = frozenset({"Connect"})  # a client reaching a broker (wire.py)

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.durations = dict(DEFAULT_DURATIONS)
        serve_broker_names()

    def new_store(self, account_id: str, region: str) -> MqStore:
        return MqStore(account_id, region)

    def dispatch(self, ctx: RequestContext, operation: Any, params: dict[str, Any]) -> dict[str, Any]:
        # Members a handler knows to be absent (no next page) are left out, as AWS leaves them out.
        return {k: v for k, v in super().dispatch(ctx, operation, params).items() if v is not None}

    def redact(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Broker user passwords never reach the call log."""
        if "Password" not in params and "Users" not in params:
            return params
        shown = dict(params)
        if "Password" in shown:
            shown["Password"] = "***"
        if isinstance(shown.get("Users"), list):
            shown["Users"] = [{**u, "Password": "***"} if isinstance(u, dict) else u for u in shown["Users"]]
        return shown

    def secret_values(self) -> list[str]:
        return [
            user.password
            for store in self.stores().values()
            for broker in store.brokers.values()
            for user in broker.users.values()
        ]

    def report_sections(self) -> list[tuple[str, str]]:
        """What clients did on the brokers' wire: connections, drops, engines' frame summaries."""
        wire = existing_wire(self.cloud)
        return [("aws mq wire", "\n".join(wire.log))] if wire is not None and wire.log else []

    # -- brokers -------------------------------------------------------------------

    @operation
    def create_broker(
        self,
        ctx: RequestContext,
        *,
        broker_name: str,
        deployment_mode: str,
        engine_type: str,
        host_instance_type: str,
        publicly_accessible: bool,
        authentication_strategy: str | None = None,
        auto_minor_version_upgrade: bool | None = None,
        configuration: dict[str, Any] | None = None,
        creator_request_id: str | None = None,
        encryption_options: dict[str, Any] | None = None,
        engine_version: str | None = None,
        ldap_server_metadata: dict[str, Any] | None = None,
        logs: dict[str, Any] | None = None,
        maintenance_window_start_time: dict[str, Any] | None = None,
        security_groups: list[str] | None = None,
        storage_size: int | None = None,
        storage_type: str | None = None,
        subnet_ids: list[str] | None = None,
        tags: dict[str, str] | None = None,
        users: list[dict[str, Any]] | None = None,
        data_replication_mode: str | None = None,
        data_replication_primary_broker_arn: str | None = None,
    ) -> dict[str, Any]:
        store = self.ctx_store(ctx)
        repeated = self._same_request(store, broker_name, creator_request_id)
        if repeated is not None:
            return {"BrokerArn": repeated.arn, "BrokerId": repeated.id}
        # AWS's order of checks: name, engine and instance, network, then users and configuration.
        self._check_broker_name(store, broker_name)
        version = self._check_engine_version(engine_type, engine_version)
        storage = self._check_instance(engine_type, host_instance_type, deployment_mode, storage_type)
        auto_upgrade = self._check_auto_upgrade(auto_minor_version_upgrade)
        subnets = self._check_subnets(deployment_mode, engine_type, publicly_accessible, subnet_ids)
        groups = self._check_security_groups(security_groups)
        strategy = self._check_authentication(engine_type, authentication_strategy, ldap_server_metadata)
        checked_users = self._check_new_users(engine_type, strategy, users or [])
        config = self._check_broker_configuration(ctx, configuration, engine_type) if configuration else None
        broker = Broker(
            **self._placement(ctx, broker_name, deployment_mode),
            name=broker_name,
            engine_type=engine_type,
            engine_version=version,
            host_instance_type=host_instance_type,
            deployment_mode=deployment_mode,
            storage_type=storage,
            publicly_accessible=publicly_accessible,
            authentication_strategy=strategy,
            auto_minor_version_upgrade=auto_upgrade,
            subnet_ids=subnets,
            security_groups=groups,
            maintenance_window=self._check_window(maintenance_window_start_time),
            logs={"General": bool((logs or {}).get("General")), "Audit": bool((logs or {}).get("Audit"))},
            encryption={"UseAwsOwnedKey": True, **(encryption_options or {})},
            configuration=config,
            data_replication_mode=data_replication_mode or "NONE",
            creator_request_id=creator_request_id,
            ldap=ldap_server_metadata,
            users={u.username: u for u in checked_users},
            tags=dict(tags or {}),
            storage_size=storage_size,
        )
        if config is not None:
            broker.configuration_history.append(dict(config))
        store.brokers[broker.id] = broker
        self._after(broker, "create", "RUNNING")
        return {"BrokerArn": broker.arn, "BrokerId": broker.id}

    @staticmethod
    def _same_request(store: MqStore, name: str, creator_request_id: str | None) -> Broker | None:
        """The broker an earlier CreateBroker with this CreatorRequestId made (the call is idempotent)."""
        if not creator_request_id:
            return None
        return next(
            (b for b in store.brokers.values() if b.creator_request_id == creator_request_id and b.name == name),
            None,
        )

    @staticmethod
    def _check_broker_name(store: MqStore, name: str) -> None:
        if not _BROKER_NAME.match(name):
            raise BadRequestException(
                "Broker name must be 1-50 characters long and contain only letters, numbers, dashes and underscores.",
                "brokerName",
            )
        if any(b.name == name for b in store.brokers.values()):
            raise ConflictException(f"Broker with name {name} already exists.", "brokerName")
        if len(store.brokers) >= MAX_BROKERS_PER_REGION:
            raise BadRequestException(
                f"You have reached the maximum number of brokers ({MAX_BROKERS_PER_REGION}) in this region.",
                "brokerName",
            )

    @staticmethod
    def _check_engine_version(engine_type: str, engine_version: str | None) -> str:
        version = catalog.engine_version(engine_type, engine_version)
        if version is None:
            raise BadRequestException(
                f"Broker engine version [{engine_version}] is not supported for engine type [{engine_type}]. "
                f"Supported versions: {', '.join(catalog.ENGINE_VERSIONS[engine_type])}.",
                "engineVersion",
            )
        return version

    @staticmethod
    def _check_auto_upgrade(auto_minor_version_upgrade: bool | None) -> bool:
        if auto_minor_version_upgrade is False:
            raise BadRequestException(
                "autoMinorVersionUpgrade must be true for ActiveMQ 5.18 and above and RabbitMQ 3.13 and above.",
                "autoMinorVersionUpgrade",
            )
        return True

    @staticmethod
    def _check_authentication(engine_type: str, strategy: str | None, ldap: dict[str, Any] | None) -> str:
        strategy = strategy or "SIMPLE"
        if strategy == "LDAP" and engine_type == "RABBITMQ":
            raise BadRequestException(
                "LDAP authentication is not supported for RabbitMQ brokers.", "authenticationStrategy"
            )
        if strategy == "LDAP" and not ldap:
            raise BadRequestException("ldapServerMetadata is required for LDAP authentication.", "ldapServerMetadata")
        return strategy

    def _placement(self, ctx: RequestContext, name: str, deployment_mode: str) -> dict[str, Any]:
        """A new broker's id, ARN, region, creation time and the AZs its instances run in."""
        broker_id = f"b-{self.cloud.ids.uuid4()}"
        zones = [zone.name for zone in self.cloud.topology.zones(ctx.region)]
        count = {"SINGLE_INSTANCE": 1, "ACTIVE_STANDBY_MULTI_AZ": 2}.get(deployment_mode, 3)
        return {
            "id": broker_id,
            "arn": ctx.arn(f"broker:{name}:{broker_id}"),
            "created": ctx.now,
            "region": ctx.region,
            "zones": zones[:count],
        }

    @operation
    def describe_broker(self, ctx: RequestContext, *, broker_id: str) -> dict[str, Any]:
        broker = self._broker(ctx, broker_id)
        out: dict[str, Any] = {
            "ActionsRequired": [],
            "AuthenticationStrategy": broker.authentication_strategy,
            "AutoMinorVersionUpgrade": broker.auto_minor_version_upgrade,
            "BrokerArn": broker.arn,
            "BrokerId": broker.id,
            "BrokerInstances": broker.instances(),
            "BrokerName": broker.name,
            "BrokerState": broker.state,
            "Created": _iso(broker.created),
            "DeploymentMode": broker.deployment_mode,
            "EncryptionOptions": broker.encryption,
            "EngineType": broker.engine_type,
            "EngineVersion": broker.engine_version,
            "HostInstanceType": broker.host_instance_type,
            "Logs": self._logs_summary(broker),
            "MaintenanceWindowStartTime": broker.maintenance_window,
            "PubliclyAccessible": broker.publicly_accessible,
            "SecurityGroups": broker.security_groups,
            "StorageSize": broker.storage_size,
            "StorageType": broker.storage_type,
            "SubnetIds": broker.subnet_ids,
            "Tags": dict(broker.tags),
            "Users": [self._user_summary(u) for u in sorted(broker.users.values(), key=lambda u: u.username)],
            "DataReplicationMode": broker.data_replication_mode,
        }
        if broker.configuration is not None or "Configuration" in broker.pending:
            out["Configurations"] = {
                "Current": broker.configuration,
                "History": list(broker.configuration_history[:-1]),
                **({"Pending": broker.pending["Configuration"]} if "Configuration" in broker.pending else {}),
            }
        if broker.ldap is not None:
            out["LdapServerMetadata"] = {k: v for k, v in broker.ldap.items() if k != "ServiceAccountPassword"}
        for member, shown in _PENDING.items():
            if member in broker.pending:
                value = broker.pending[member]
                if member == "LdapServerMetadata":
                    value = {k: v for k, v in value.items() if k != "ServiceAccountPassword"}
                out[shown] = value
        return out

    @operation
    def list_brokers(
        self, ctx: RequestContext, *, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        brokers = sorted(self.ctx_store(ctx).brokers.values(), key=lambda b: (b.created, b.id))
        page, token = _page(brokers, max_results, next_token)
        return {
            "BrokerSummaries": [
                {
                    "BrokerArn": b.arn,
                    "BrokerId": b.id,
                    "BrokerName": b.name,
                    "BrokerState": b.state,
                    "Created": _iso(b.created),
                    "DeploymentMode": b.deployment_mode,
                    "EngineType": b.engine_type,
                    "HostInstanceType": b.host_instance_type,
                }
                for b in page
            ],
            "NextToken": token,
        }

    @operation
    def update_broker(
        self,
        ctx: RequestContext,
        *,
        broker_id: str,
        authentication_strategy: str | None = None,
        auto_minor_version_upgrade: bool | None = None,
        configuration: dict[str, Any] | None = None,
        engine_version: str | None = None,
        host_instance_type: str | None = None,
        ldap_server_metadata: dict[str, Any] | None = None,
        logs: dict[str, Any] | None = None,
        maintenance_window_start_time: dict[str, Any] | None = None,
        security_groups: list[str] | None = None,
        data_replication_mode: str | None = None,
        resource_share_arns: list[str] | None = None,
        storage_size: int | None = None,
    ) -> dict[str, Any]:
        broker = self._broker(ctx, broker_id)
        self._require_state(broker, "RUNNING", "update")
        if engine_version is not None and catalog.engine_version(broker.engine_type, engine_version) is None:
            raise BadRequestException(
                f"Broker engine version [{engine_version}] is not supported for engine type [{broker.engine_type}].",
                "engineVersion",
            )
        if host_instance_type is not None:
            self._check_instance(broker.engine_type, host_instance_type, broker.deployment_mode, broker.storage_type)
        if auto_minor_version_upgrade is False:
            raise BadRequestException(
                "autoMinorVersionUpgrade must be true for ActiveMQ 5.18 and above and RabbitMQ 3.13 and above.",
                "autoMinorVersionUpgrade",
            )
        changes: dict[str, Any] = {
            "AuthenticationStrategy": authentication_strategy,
            "EngineVersion": catalog.engine_version(broker.engine_type, engine_version) if engine_version else None,
            "HostInstanceType": host_instance_type,
            "LdapServerMetadata": ldap_server_metadata,
            "SecurityGroups": self._check_security_groups(security_groups) if security_groups is not None else None,
            "DataReplicationMode": data_replication_mode,
            "StorageSize": storage_size,
            "Configuration": (
                self._check_broker_configuration(ctx, configuration, broker.engine_type) if configuration else None
            ),
        }
        broker.pending.update({k: v for k, v in changes.items() if v is not None})
        if logs is not None:
            broker.pending["Logs"] = {"General": bool(logs.get("General")), "Audit": bool(logs.get("Audit"))}
        if maintenance_window_start_time is not None:
            broker.maintenance_window = self._check_window(maintenance_window_start_time)
        if auto_minor_version_upgrade is not None:
            broker.auto_minor_version_upgrade = auto_minor_version_upgrade
        out = {
            "BrokerId": broker.id,
            "AutoMinorVersionUpgrade": broker.auto_minor_version_upgrade,
            "MaintenanceWindowStartTime": broker.maintenance_window,
            **{k: v for k, v in changes.items() if v is not None and k != "LdapServerMetadata"},
        }
        if logs is not None:
            out["Logs"] = broker.pending["Logs"]
        return out

    @operation
    def reboot_broker(self, ctx: RequestContext, *, broker_id: str) -> dict[str, Any]:
        broker = self._broker(ctx, broker_id)
        self._require_state(broker, "RUNNING", "reboot")
        self._move(broker, "REBOOT_IN_PROGRESS")
        self._after(broker, "reboot", "RUNNING")
        return {}

    @operation
    def delete_broker(self, ctx: RequestContext, *, broker_id: str) -> dict[str, Any]:
        broker = self._broker(ctx, broker_id)
        if broker.state in ("CREATION_IN_PROGRESS", "DELETION_IN_PROGRESS", "REBOOT_IN_PROGRESS"):
            raise ConflictException(
                f"Broker {broker.id} is in state {broker.state} and cannot be deleted now.", "brokerId"
            )
        self._move(broker, "DELETION_IN_PROGRESS")
        self._after(broker, "delete", None)
        return {"BrokerId": broker.id}

    @operation
    def promote(self, ctx: RequestContext, *, broker_id: str, mode: str) -> dict[str, Any]:
        broker = self._broker(ctx, broker_id)
        if broker.data_replication_mode != "CRDR":
            raise BadRequestException(
                f"Broker {broker.id} is not part of a data replication pair: only a CRDR replica can be promoted.",
                "brokerId",
            )
        self._require_state(broker, "RUNNING", "promote")
        return {"BrokerId": broker.id}

    @operation
    def describe_shared_resources(
        self,
        ctx: RequestContext,
        *,
        broker_id: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        # The kit shares no broker resources through AWS RAM (UpdateBroker's
        # ResourceShareArns is accepted and not applied): the list is empty.
        self._broker(ctx, broker_id)
        return {"SharedResources": []}

    @operation
    def describe_broker_engine_types(
        self,
        ctx: RequestContext,
        *,
        engine_type: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        page, token = _page(catalog.engine_types(engine_type), max_results, next_token)
        return {"BrokerEngineTypes": page, "MaxResults": _echoed(max_results), "NextToken": token}

    @operation
    def describe_broker_instance_options(
        self,
        ctx: RequestContext,
        *,
        engine_type: str | None = None,
        host_instance_type: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        storage_type: str | None = None,
    ) -> dict[str, Any]:
        zones = [zone.name for zone in self.cloud.topology.zones(ctx.region)]
        options = catalog.instance_options(zones, engine_type, host_instance_type, storage_type)
        page, token = _page(options, max_results, next_token)
        return {"BrokerInstanceOptions": page, "MaxResults": _echoed(max_results), "NextToken": token}

    # -- users -------------------------------------------------------------------------

    @operation
    def create_user(
        self,
        ctx: RequestContext,
        *,
        broker_id: str,
        password: str,
        username: str,
        console_access: bool | None = None,
        groups: list[str] | None = None,
        replication_user: bool | None = None,
    ) -> dict[str, Any]:
        broker = self._activemq_broker(ctx, broker_id)
        existing = broker.users.get(username)
        if existing is not None and existing.pending_change != "DELETE":
            raise ConflictException(f"User {username} already exists on broker {broker.id}.", "username")
        (user,) = self._check_new_users(
            broker.engine_type,
            "SIMPLE",
            [{"Username": username, "Password": password, "ConsoleAccess": console_access, "Groups": groups}],
        )
        user.replication_user = bool(replication_user)
        user.pending_change = "CREATE"
        user.pending = {"ConsoleAccess": user.console_access, "Groups": list(user.groups)}
        broker.users[username] = user
        return {}

    @operation
    def describe_user(self, ctx: RequestContext, *, broker_id: str, username: str) -> dict[str, Any]:
        broker = self._broker(ctx, broker_id)
        user = self._user(broker, username)
        out: dict[str, Any] = {
            "BrokerId": broker.id,
            "ConsoleAccess": user.console_access,
            "Groups": list(user.groups),
            "Username": user.username,
            "ReplicationUser": user.replication_user,
        }
        if user.pending_change is not None:
            out["Pending"] = {**user.pending, "PendingChange": user.pending_change}
        return out

    @operation
    def list_users(
        self,
        ctx: RequestContext,
        *,
        broker_id: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        broker = self._broker(ctx, broker_id)
        users = sorted(broker.users.values(), key=lambda u: u.username)
        page, token = _page(users, max_results, next_token)
        return {
            "BrokerId": broker.id,
            "MaxResults": _echoed(max_results) or 100,
            "NextToken": token,
            "Users": [self._user_summary(u) for u in page],
        }

    @operation
    def update_user(
        self,
        ctx: RequestContext,
        *,
        broker_id: str,
        username: str,
        console_access: bool | None = None,
        groups: list[str] | None = None,
        password: str | None = None,
        replication_user: bool | None = None,
    ) -> dict[str, Any]:
        broker = self._activemq_broker(ctx, broker_id)
        user = self._user(broker, username)
        if password is not None:
            _check_password(password)
        if groups is not None:
            _check_groups(groups)
        user.pending = {
            "ConsoleAccess": user.console_access if console_access is None else console_access,
            "Groups": list(user.groups if groups is None else groups),
            **({"Password": password} if password is not None else {}),
        }
        if user.pending_change != "CREATE":
            user.pending_change = "UPDATE"
        if replication_user is not None:
            user.replication_user = replication_user
        return {}

    @operation
    def delete_user(self, ctx: RequestContext, *, broker_id: str, username: str) -> dict[str, Any]:
        broker = self._activemq_broker(ctx, broker_id)
        user = self._user(broker, username)
        if user.pending_change == "CREATE":
            del broker.users[username]  # never applied: nothing to delete at the reboot
        else:
            user.pending_change = "DELETE"
            user.pending = {}
        return {}

    # -- configurations ----------------------------------------------------------------

    @operation
    def create_configuration(
        self,
        ctx: RequestContext,
        *,
        engine_type: str,
        name: str,
        authentication_strategy: str | None = None,
        engine_version: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        if not re.match(r"^[A-Za-z0-9_-]{1,150}$", name):
            raise BadRequestException(
                "Configuration name must be 1-150 characters long and contain only letters, numbers, dashes and "
                "underscores.",
                "name",
            )
        version = catalog.engine_version(engine_type, engine_version)
        if version is None:
            raise BadRequestException(
                f"Broker engine version [{engine_version}] is not supported for engine type [{engine_type}].",
                "engineVersion",
            )
        config_id = f"c-{self.cloud.ids.uuid4()}"
        config = Configuration(
            id=config_id,
            arn=ctx.arn(f"configuration:{config_id}"),
            name=name,
            engine_type=engine_type,
            engine_version=version,
            authentication_strategy=authentication_strategy or "SIMPLE",
            created=ctx.now,
            tags=dict(tags or {}),
        )
        config.revisions.append(Revision(1, default_data(engine_type), "Auto-generated default for " + name, ctx.now))
        self.ctx_store(ctx).configurations[config_id] = config
        return {
            "Arn": config.arn,
            "AuthenticationStrategy": config.authentication_strategy,
            "Created": _iso(config.created),
            "Id": config.id,
            "LatestRevision": _revision(config.latest),
            "Name": config.name,
        }

    @operation
    def describe_configuration(self, ctx: RequestContext, *, configuration_id: str) -> dict[str, Any]:
        return _describe_configuration(self._configuration(ctx, configuration_id))

    @operation
    def list_configurations(
        self, ctx: RequestContext, *, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        configs = sorted(self.ctx_store(ctx).configurations.values(), key=lambda c: (c.created, c.id))
        page, token = _page(configs, max_results, next_token)
        return {
            "Configurations": [_describe_configuration(c) for c in page],
            "MaxResults": max_results if max_results is not None else 100,
            "NextToken": token,
        }

    @operation
    def update_configuration(
        self, ctx: RequestContext, *, configuration_id: str, data: str, description: str | None = None
    ) -> dict[str, Any]:
        config = self._configuration(ctx, configuration_id)
        try:
            text = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise BadRequestException("The configuration data must be base64-encoded.", "data") from None
        cleaned, warnings = check_data(config.engine_type, text)
        revision = Revision(
            len(config.revisions) + 1,
            base64.b64encode(cleaned.encode("utf-8")).decode("ascii"),
            description or "",
            ctx.now,
        )
        config.revisions.append(revision)
        return {
            "Arn": config.arn,
            "Created": _iso(config.created),
            "Id": config.id,
            "LatestRevision": _revision(revision),
            "Name": config.name,
            "Warnings": warnings,
        }

    @operation
    def delete_configuration(self, ctx: RequestContext, *, configuration_id: str) -> dict[str, Any]:
        config = self._configuration(ctx, configuration_id)
        store = self.ctx_store(ctx)
        for broker in store.brokers.values():
            used = [broker.configuration, broker.pending.get("Configuration")]
            if any(c is not None and c.get("Id") == config.id for c in used):
                raise ConflictException(
                    f"Configuration {config.id} is in use by broker {broker.id} and cannot be deleted.",
                    "configurationId",
                )
        del store.configurations[config.id]
        return {"ConfigurationId": config.id}

    @operation
    def list_configuration_revisions(
        self,
        ctx: RequestContext,
        *,
        configuration_id: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        config = self._configuration(ctx, configuration_id)
        page, token = _page(config.revisions, max_results, next_token)
        return {
            "ConfigurationId": config.id,
            "MaxResults": max_results if max_results is not None else 100,
            "NextToken": token,
            "Revisions": [_revision(r) for r in page],
        }

    @operation
    def describe_configuration_revision(
        self, ctx: RequestContext, *, configuration_id: str, configuration_revision: str
    ) -> dict[str, Any]:
        config = self._configuration(ctx, configuration_id)
        revision = _find_revision(config, configuration_revision)
        return {
            "ConfigurationId": config.id,
            "Created": _iso(revision.created),
            "Data": revision.data,
            "Description": revision.description,
        }

    # -- tags ------------------------------------------------------------------------------

    @operation
    def create_tags(
        self, ctx: RequestContext, *, resource_arn: str, tags: dict[str, str] | None = None
    ) -> dict[str, Any]:
        self._tagged(ctx, resource_arn).update(tags or {})
        return {}

    @operation
    def delete_tags(self, ctx: RequestContext, *, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        tags = self._tagged(ctx, resource_arn)
        for key in tag_keys:
            tags.pop(key, None)
        return {}

    @operation
    def list_tags(self, ctx: RequestContext, *, resource_arn: str) -> dict[str, Any]:
        return {"Tags": dict(self._tagged(ctx, resource_arn))}

    # -- lookups and checks ----------------------------------------------------------------

    def _broker(self, ctx: RequestContext, broker_id: str) -> Broker:
        store = self.ctx_store(ctx)
        broker = store.brokers.get(broker_id) or next((b for b in store.brokers.values() if b.name == broker_id), None)
        if broker is None:
            raise NotFoundException(
                f"Can't find requested broker [{broker_id}]. Make sure your broker exists.", "broker-id"
            )
        return broker

    def _activemq_broker(self, ctx: RequestContext, broker_id: str) -> Broker:
        broker = self._broker(ctx, broker_id)
        if broker.engine_type == "RABBITMQ":
            raise BadRequestException(
                "Broker users of RabbitMQ brokers are managed with the RabbitMQ API or web console, not Amazon MQ.",
                "brokerId",
            )
        return broker

    def _user(self, broker: Broker, username: str) -> User:
        user = broker.users.get(username)
        if user is None:
            raise NotFoundException(f"Can't find requested user [{username}]. Make sure your user exists.", "username")
        return user

    def _configuration(self, ctx: RequestContext, configuration_id: str) -> Configuration:
        config = self.ctx_store(ctx).configurations.get(configuration_id)
        if config is None:
            raise NotFoundException(
                f"Can't find requested configuration [{configuration_id}]. Make sure your configuration exists.",
                "configuration-id",
            )
        return config

    def _tagged(self, ctx: RequestContext, arn: str) -> dict[str, str]:
        store = self.ctx_store(ctx)
        resources: list[Broker | Configuration] = [*store.brokers.values(), *store.configurations.values()]
        for resource in resources:
            if resource.arn == arn:
                return resource.tags
        raise NotFoundException(
            f"Can't find requested resource [{arn}]. Make sure your resource exists.", "resource-arn"
        )

    def _require_state(self, broker: Broker, state: str, action: str) -> None:
        if broker.state != state:
            raise ConflictException(
                f"Broker {broker.id} is in state {broker.state}; it can {action} only when {state}.", "brokerId"
            )

    def _check_instance(self, engine: str, host: str, mode: str, storage: str | None) -> str:
        row = catalog.instance_type(engine, host)
        if row is None:
            raise BadRequestException(
                f"Broker instance type [{host}] is not supported for engine type [{engine}].", "hostInstanceType"
            )
        _, storages, modes = row
        if mode not in modes:
            raise BadRequestException(
                f"Deployment mode [{mode}] is not supported for engine type [{engine}] and instance type [{host}].",
                "deploymentMode",
            )
        chosen = storage or storages[0]
        if chosen not in storages:
            raise BadRequestException(
                f"Storage type [{chosen}] is not supported for instance type [{host}].", "storageType"
            )
        return chosen

    @staticmethod
    def _check_subnets(mode: str, engine: str, public: bool, subnet_ids: list[str] | None) -> list[str]:
        subnets = list(subnet_ids or [])
        if mode == "SINGLE_INSTANCE" and len(subnets) > 1:
            raise BadRequestException("A SINGLE_INSTANCE deployment requires one subnet.", "subnetIds")
        if mode == "ACTIVE_STANDBY_MULTI_AZ" and subnets and len(subnets) != 2:
            raise BadRequestException("An ACTIVE_STANDBY_MULTI_AZ deployment requires two subnets.", "subnetIds")
        if mode == "CLUSTER_MULTI_AZ" and not public and not subnets:
            raise BadRequestException(
                "A CLUSTER_MULTI_AZ deployment without public accessibility requires at least one subnet.",
                "subnetIds",
            )
        if len(set(subnets)) != len(subnets):
            raise BadRequestException("Subnets must be in different Availability Zones.", "subnetIds")
        if not subnets and mode != "CLUSTER_MULTI_AZ":
            # The default VPC's subnets, one per AZ the broker uses (assumed ids).
            count = 2 if mode == "ACTIVE_STANDBY_MULTI_AZ" else 1
            subnets = [f"subnet-{index:017x}" for index in range(1, count + 1)]
        return subnets

    @staticmethod
    def _check_security_groups(groups: list[str] | None) -> list[str]:
        groups = list(groups or [])
        if len(groups) > MAX_SECURITY_GROUPS:
            raise BadRequestException(
                f"A broker may have at most {MAX_SECURITY_GROUPS} security groups.", "securityGroups"
            )
        return groups

    @staticmethod
    def _check_window(window: dict[str, Any] | None) -> dict[str, str]:
        if window is None:
            return {"DayOfWeek": "SUNDAY", "TimeOfDay": "02:00", "TimeZone": "UTC"}
        day = str(window.get("DayOfWeek", "")).upper()
        if day not in _DAYS:
            raise BadRequestException(f"Invalid dayOfWeek [{window.get('DayOfWeek')}].", "dayOfWeek")
        time_of_day = str(window.get("TimeOfDay", ""))
        if not _TIME_OF_DAY.match(time_of_day):
            raise BadRequestException(f"Invalid timeOfDay [{time_of_day}]: use the 24-hour HH:MM format.", "timeOfDay")
        return {"DayOfWeek": day, "TimeOfDay": time_of_day, "TimeZone": str(window.get("TimeZone") or "UTC")}

    def _check_new_users(self, engine: str, strategy: str, users: list[dict[str, Any]]) -> list[User]:
        if strategy == "SIMPLE" and engine == "ACTIVEMQ" and not users:
            raise BadRequestException("At least one user is required for an ActiveMQ broker.", "users")
        if engine == "RABBITMQ" and strategy == "SIMPLE" and len(users) != 1:
            raise BadRequestException(
                "A RabbitMQ broker using simple authentication takes one and only one administrative user.",
                "users",
            )
        checked: list[User] = []
        pattern = _RABBITMQ_USERNAME if engine == "RABBITMQ" else _ACTIVEMQ_USERNAME
        for given in users:
            username = str(given.get("Username", ""))
            if not pattern.match(username) or (engine == "RABBITMQ" and username == "guest"):
                raise BadRequestException(
                    f"Invalid username [{username}]: 2-100 characters, letters, numbers and - . _"
                    + (" ~" if engine == "ACTIVEMQ" else " (guest is not allowed)"),
                    "username",
                )
            if any(u.username == username for u in checked):
                raise BadRequestException(f"Duplicate username [{username}].", "username")
            _check_password(str(given.get("Password", "")))
            groups = list(given.get("Groups") or [])
            _check_groups(groups)
            checked.append(User(username, str(given["Password"]), bool(given.get("ConsoleAccess")), groups))
        return checked

    def _check_broker_configuration(
        self, ctx: RequestContext, configuration: dict[str, Any], engine: str
    ) -> dict[str, Any]:
        config = self._configuration(ctx, str(configuration.get("Id", "")))
        if config.engine_type != engine:
            raise BadRequestException(
                f"Configuration {config.id} is for {config.engine_type}, not {engine}.", "configuration"
            )
        revision = configuration.get("Revision")
        number = config.latest.number if revision is None else int(revision)
        _find_revision(config, str(number))
        return {"Id": config.id, "Revision": number}

    def _logs_summary(self, broker: Broker) -> dict[str, Any]:
        group = f"/aws/amazonmq/broker/{broker.id}"
        out: dict[str, Any] = {"General": broker.logs["General"], "GeneralLogGroup": f"{group}/general"}
        if broker.engine_type == "ACTIVEMQ":
            out["Audit"] = broker.logs["Audit"]
            out["AuditLogGroup"] = f"{group}/audit"
        if "Logs" in broker.pending:
            out["Pending"] = broker.pending["Logs"]
        return out

    @staticmethod
    def _user_summary(user: User) -> dict[str, Any]:
        out = {"Username": user.username}
        if user.pending_change is not None:
            out["PendingChange"] = user.pending_change
        return out

    # -- time -------------------------------------------------------------------------------

    def _move(self, broker: Broker, state: str | None) -> None:
        """Put the broker in ``state`` (None: deleted); the wire drops or restarts what it serves."""
        if state is not None:
            broker.state = state
        wire = existing_wire(self.cloud)
        if wire is not None:
            wire.broker_changed(broker, gone=state is None)

    def _after(self, broker: Broker, step: str, then: str | None) -> None:
        """Move ``broker`` to ``then`` (None: gone) once ``step`` has taken its time."""

        def done() -> None:
            if then is None:
                self.store(broker.arn.split(":")[4], broker.region).brokers.pop(broker.id, None)
                self._move(broker, None)
                return
            if step == "reboot":
                _apply_pending(broker)
            self._move(broker, then)

        delay = self.durations[step]
        if delay <= 0:
            done()
        else:
            self.cloud.clock.call_later(delay, done, f"mq {step} {broker.name}")


def _apply_pending(broker: Broker) -> None:
    """A reboot applies what UpdateBroker and the user operations left pending."""
    pending, broker.pending = broker.pending, {}
    simple = {
        "AuthenticationStrategy": "authentication_strategy",
        "EngineVersion": "engine_version",
        "HostInstanceType": "host_instance_type",
        "SecurityGroups": "security_groups",
        "DataReplicationMode": "data_replication_mode",
        "StorageSize": "storage_size",
    }
    for member, attribute in simple.items():
        if member in pending:
            setattr(broker, attribute, pending[member])
    if "LdapServerMetadata" in pending:
        broker.ldap = pending["LdapServerMetadata"]
    if "Logs" in pending:
        broker.logs = pending["Logs"]
    if "Configuration" in pending:
        broker.configuration = pending["Configuration"]
        broker.configuration_history.append(dict(pending["Configuration"]))
    for name, user in list(broker.users.items()):
        if user.pending_change == "DELETE":
            del broker.users[name]
            continue
        if user.pending_change in ("CREATE", "UPDATE"):
            user.console_access = bool(user.pending.get("ConsoleAccess", user.console_access))
            user.groups = list(user.pending.get("Groups", user.groups))
            user.password = str(user.pending.get("Password", user.password))
        user.pending_change, user.pending = None, {}


def _check_password(password: str) -> None:
    if len(password) < 12 or len(set(password)) < 4 or any(c in password for c in ",:="):
        raise BadRequestException(
            "Password must be at least 12 characters long, contain at least 4 unique characters, and must not "
            "contain commas, colons, or equal signs (,:=).",
            "password",
        )


def _check_groups(groups: list[str]) -> None:
    if len(groups) > MAX_GROUPS:
        raise BadRequestException(f"A user may belong to at most {MAX_GROUPS} groups.", "groups")
    for group in groups:
        if not _ACTIVEMQ_USERNAME.match(group):
            raise BadRequestException(
                f"Invalid group [{group}]: 2-100 characters, letters, numbers and - . _ ~", "groups"
            )


def _find_revision(config: Configuration, revision: str) -> Revision:
    if revision.isdigit() and 1 <= int(revision) <= len(config.revisions):
        return config.revisions[int(revision) - 1]
    raise NotFoundException(
        f"Can't find requested revision [{revision}] of configuration [{config.id}].", "configuration-revision"
    )


def _revision(revision: Revision) -> dict[str, Any]:
    return {"Created": _iso(revision.created), "Description": revision.description, "Revision": revision.number}


def _describe_configuration(config: Configuration) -> dict[str, Any]:
    return {
        "Arn": config.arn,
        "AuthenticationStrategy": config.authentication_strategy,
        "Created": _iso(config.created),
        "Description": config.latest.description,
        "EngineType": config.engine_type,
        "EngineVersion": config.engine_version,
        "Id": config.id,
        "LatestRevision": _revision(config.latest),
        "Name": config.name,
        "Tags": dict(config.tags),
    }


def _echoed(max_results: int | None) -> int | None:
    """The page size an answer echoes: the output shape allows 5 to 100 (assumed: smaller asks are not echoed)."""
    return max_results if max_results is not None and max_results >= 5 else None


def _page(items: list[Any], max_results: int | None, next_token: str | None) -> tuple[list[Any], str | None]:
    """One page and the token of the next (the offset, as text the caller hands back)."""
    start = 0
    if next_token:
        if not next_token.isdigit() or int(next_token) > len(items):
            raise BadRequestException("The request's nextToken is not valid.", "nextToken")
        start = int(next_token)
    size = max_results or 100
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)
