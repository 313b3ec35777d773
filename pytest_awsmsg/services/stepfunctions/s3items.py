"""A distributed Map's S3 fields: ``ItemReader`` reads its items, ``ResultWriter`` writes its results.

The kit does not fake S3, so these reach S3 one of two ways: through the
test's own S3 (a Python reader/writer registered with
``aws.stepfunctions.s3(...)``), or, when none is registered, through a boto3
S3 client that whatever else answers S3 in the test answers (moto's
``mock_aws``, a local endpoint let through). Nothing reaches real AWS: with
neither, the Map fails with ``States.ItemReaderFailed`` saying so.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from . import errors
from .errors import StatesError

if TYPE_CHECKING:
    from .interpreter import Interpreter, Visit
    from .models import Execution, MapRun

GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
PUT_OBJECT = "arn:aws:states:::s3:putObject"
INPUT_TYPES = ("JSON", "JSONL", "CSV", "MANIFEST")
_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


class S3(Protocol):
    """What a Map needs of S3."""

    def get(self, bucket: str, key: str) -> bytes: ...
    def keys(self, bucket: str, prefix: str) -> list[str]: ...
    def put(self, bucket: str, key: str, body: bytes) -> None: ...


class S3Failure(Exception):
    """S3 did not answer as asked (no such object, access denied...): the message says why."""


@dataclass
class CallableS3:
    """The test's S3: ``reader(bucket, key) -> bytes | str``, ``writer(bucket, key, body)``,
    ``lister(bucket, prefix) -> keys`` (``aws.stepfunctions.s3(...)``)."""

    reader: Callable[[str, str], bytes | str] | None = None
    writer: Callable[[str, str, bytes], None] | None = None
    lister: Callable[[str, str], Iterable[str]] | None = None

    def get(self, bucket: str, key: str) -> bytes:
        if self.reader is None:
            raise S3Failure("aws.stepfunctions.s3 was given no reader")
        body = self.reader(bucket, key)
        return body.encode() if isinstance(body, str) else bytes(body)

    def keys(self, bucket: str, prefix: str) -> list[str]:
        if self.lister is None:
            raise S3Failure("aws.stepfunctions.s3 was given no lister")
        return sorted(self.lister(bucket, prefix))

    def put(self, bucket: str, key: str, body: bytes) -> None:
        if self.writer is None:
            raise S3Failure("aws.stepfunctions.s3 was given no writer")
        self.writer(bucket, key, body)


@dataclass
class BotocoreS3:
    """S3 through boto3: answered by whatever answers S3 beside the kit (moto's ``mock_aws``...)."""

    region: str

    def _client(self) -> Any:
        import boto3

        return boto3.client("s3", region_name=self.region)

    def _call(self, operation: str, **params: Any) -> Any:
        from botocore.exceptions import ClientError

        from ...core.errors import UnfakedServiceError

        try:
            return getattr(self._client(), operation)(**params)
        except ClientError as error:
            details = error.response.get("Error", {})
            raise S3Failure(f"{details.get('Code')}: {details.get('Message')}") from None
        except UnfakedServiceError:
            raise S3Failure(
                "nothing answers S3 in this test: register aws.stepfunctions.s3(reader=..., writer=...) "
                "or run it under moto's mock_aws"
            ) from None

    def get(self, bucket: str, key: str) -> bytes:
        body: bytes = self._call("get_object", Bucket=bucket, Key=key)["Body"].read()
        return body

    def keys(self, bucket: str, prefix: str) -> list[str]:
        found: list[str] = []
        token: dict[str, str] = {}
        while True:
            page = self._call("list_objects_v2", Bucket=bucket, Prefix=prefix, **token)
            found.extend(entry["Key"] for entry in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return found
            token = {"ContinuationToken": page["NextContinuationToken"]}

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self._call("put_object", Bucket=bucket, Key=key, Body=body)


def _s3_for(interp: Interpreter, execution: Execution) -> S3:
    registered: S3 | None = getattr(interp.service, "s3_access", None)
    return registered if registered is not None else BotocoreS3(execution.region)


def _parameters(interp: Interpreter, v: Visit, spec: dict[str, Any], name: str) -> dict[str, Any]:
    """ItemReader/ResultWriter ``Parameters`` (JSONPath) or ``Arguments`` (JSONata), evaluated."""
    if v.jsonata:
        found = interp.env(v).render(spec.get("Arguments", {}), f"{name}.Arguments")
    else:
        found = interp.template(spec.get("Parameters", {}), v.effective, interp.context(v))
    if not isinstance(found, dict) or not isinstance(found.get("Bucket"), str):
        raise StatesError(errors.RUNTIME, f"The {name}'s parameters must name a Bucket: {json.dumps(found)}")
    return found


# -- ItemReader --------------------------------------------------------------------------


def read_items(interp: Interpreter, v: Visit) -> list[Any]:
    """The items an ItemReader names, at most ``MaxItems`` of them."""
    reader: dict[str, Any] = v.state["ItemReader"]
    config: dict[str, Any] = reader.get("ReaderConfig", {})
    params = _parameters(interp, v, reader, "ItemReader")
    s3 = _s3_for(interp, v.thread.execution)
    try:
        if reader["Resource"] == LIST_OBJECTS:
            items = _listed(s3, params["Bucket"], str(params.get("Prefix", "")), interp.now().timestamp())
        else:
            items = _parsed(s3, params, config)
    except S3Failure as failure:
        raise StatesError(errors.ITEM_READER_FAILED, f"The ItemReader could not read from S3: {failure}") from None
    limit = _max_items(interp, v, config)
    return items[:limit] if limit else items


def _max_items(interp: Interpreter, v: Visit, config: dict[str, Any]) -> int:
    if "MaxItemsPath" in config:
        value = interp.select(config["MaxItemsPath"], v.effective, v)
    else:
        value = config.get("MaxItems", 0)
        if isinstance(value, str) and v.jsonata:
            value = interp.env(v).render(value, "MaxItems")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise StatesError(errors.RUNTIME, f"The ItemReader's MaxItems must be a non-negative integer: {value!r}")
    return value


def _listed(s3: S3, bucket: str, prefix: str, now: float) -> list[dict[str, Any]]:
    """ListObjectsV2 items as Step Functions passes them on (Etag, Key, LastModified, Size, StorageClass).

    Assumed: with a registered lister the kit reads each object for its Size
    and ETag (an MD5, as S3 gives for a single-part upload) and dates it now.
    """
    items = []
    for key in s3.keys(bucket, prefix):
        body = s3.get(bucket, key)
        items.append(
            {
                "Etag": f'"{hashlib.md5(body).hexdigest()}"',
                "Key": key,
                "LastModified": int(now),
                "Size": len(body),
                "StorageClass": "STANDARD",
            }
        )
    return items


def _parsed(s3: S3, params: dict[str, Any], config: dict[str, Any]) -> list[Any]:
    bucket, key = params["Bucket"], params.get("Key")
    if not isinstance(key, str):
        raise S3Failure("s3:getObject needs a Key")
    kind = config.get("InputType", "JSON")
    body = s3.get(bucket, key)
    if kind == "MANIFEST":
        return _manifest(s3, body)
    text = body.decode("utf-8-sig")
    if kind == "CSV":
        return _csv_rows(text, config)
    if kind == "JSONL":
        return [_json(line, key) for line in text.splitlines() if line.strip()]
    items = _json(text, key)
    if not isinstance(items, list):
        raise S3Failure(f"s3://{bucket}/{key} does not hold a JSON array")
    return items


def _json(text: str, key: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise S3Failure(f"{key} is not valid JSON: {error}") from None


def _csv_rows(text: str, config: dict[str, Any], delimiter: str | None = None) -> list[dict[str, str]]:
    """CSV rows as objects of strings, keyed by the first row or by ``CSVHeaders``."""
    sep = delimiter or _DELIMITERS[config.get("CSVDelimiter", "COMMA")]
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = list(config["CSVHeaders"])
    elif rows:
        headers, rows = rows[0], rows[1:]
    else:
        return []
    return [dict(zip(headers, row, strict=False)) for row in rows if row]


def _manifest(s3: S3, body: bytes) -> list[dict[str, str]]:
    """An S3 Inventory ``manifest.json``: the rows of its (gzipped) CSV files, keyed by ``fileSchema``.

    Assumed: only CSV inventories (the common format); ORC and Parquet are refused.
    """
    manifest = _json(body.decode(), "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("fileFormat") != "CSV":
        raise S3Failure("the manifest must describe a CSV S3 Inventory (fileFormat CSV)")
    headers = [name.strip() for name in str(manifest.get("fileSchema", "")).split(",")]
    bucket = str(manifest.get("destinationBucket", "")).rsplit(":", 1)[-1]
    items: list[dict[str, str]] = []
    for entry in manifest.get("files", []):
        data = s3.get(bucket, entry["key"])
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        items.extend(_csv_rows(data.decode(), {"CSVHeaderLocation": "GIVEN", "CSVHeaders": headers}, ","))
    return items


# -- ResultWriter --------------------------------------------------------------------------


def write_results(interp: Interpreter, v: Visit, run: MapRun) -> dict[str, Any]:
    """Write the map run's results as AWS lays them out; the Map's output that points at them.

    ``<Prefix>/<map run id>/manifest.json`` lists ``SUCCEEDED_0.json``,
    ``FAILED_0.json`` and ``PENDING_0.json`` (each written only when it has
    entries); each entry describes one child execution.
    """
    params = _parameters(interp, v, v.state["ResultWriter"], "ResultWriter")
    bucket = params["Bucket"]
    prefix = str(params.get("Prefix", "")).rstrip("/")
    folder = f"{prefix}/{run.arn.rsplit(':', 1)[-1]}" if prefix else run.arn.rsplit(":", 1)[-1]
    groups: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for child in run.children:
        group = "SUCCEEDED" if child.status == "SUCCEEDED" else "PENDING" if not child.closed else "FAILED"
        groups[group].append(_described(child))
    s3 = _s3_for(interp, v.thread.execution)
    files: dict[str, list[dict[str, Any]]] = {}
    try:
        for group, entries in groups.items():
            files[group] = []
            if entries:
                key = f"{folder}/{group}_0.json"
                body = json.dumps(entries, separators=(",", ":")).encode()
                s3.put(bucket, key, body)
                files[group].append({"Key": key, "Size": len(body)})
        manifest = {"DestinationBucket": bucket, "MapRunArn": run.arn, "ResultFiles": files}
        s3.put(bucket, f"{folder}/manifest.json", json.dumps(manifest, separators=(",", ":")).encode())
    except S3Failure as failure:
        raise StatesError(errors.RESULT_WRITER_FAILED, f"The ResultWriter could not write to S3: {failure}") from None
    return {"MapRunArn": run.arn, "ResultWriterDetails": {"Bucket": bucket, "Key": f"{folder}/manifest.json"}}


def _described(child: Execution) -> dict[str, Any]:
    """One child execution in a results file: DescribeExecution's members, PascalCase, dates as ISO text."""
    from .interpreter import iso

    out: dict[str, Any] = {}
    for key, value in child.describe().items():
        if key in ("mapRunArn", "redriveCount", "redriveStatus", "redriveStatusReason"):
            continue
        out[key[0].upper() + key[1:]] = iso(value) if hasattr(value, "astimezone") else value
    for key in ("InputDetails", "OutputDetails"):
        if key in out:
            out[key] = {"Included": True}
    return out


# -- checked at CreateStateMachine ------------------------------------------------------------


def problems(state: dict[str, Any]) -> list[tuple[str, str]]:
    """(message, field) for what a Map's ItemReader or ResultWriter gets wrong (the kit's wording)."""
    found: list[tuple[str, str]] = []
    reader = state.get("ItemReader")
    if reader is not None:
        if not isinstance(reader, dict) or reader.get("Resource") not in (GET_OBJECT, LIST_OBJECTS):
            found.append((f'The ItemReader\'s "Resource" must be {GET_OBJECT} or {LIST_OBJECTS}', "ItemReader"))
        else:
            config = reader.get("ReaderConfig", {})
            kind = config.get("InputType") if isinstance(config, dict) else None
            if reader["Resource"] == GET_OBJECT and kind not in INPUT_TYPES:
                found.append((f'The ReaderConfig\'s "InputType" must be one of {", ".join(INPUT_TYPES)}', "ItemReader"))
            if kind == "CSV" and config.get("CSVHeaderLocation") == "GIVEN" and not config.get("CSVHeaders"):
                found.append(('"CSVHeaders" are needed when "CSVHeaderLocation" is GIVEN', "ItemReader"))
            if config.get("CSVDelimiter", "COMMA") not in _DELIMITERS:
                found.append((f'The "CSVDelimiter" must be one of {", ".join(_DELIMITERS)}', "ItemReader"))
    writer = state.get("ResultWriter")
    if writer is not None:
        if not isinstance(writer, dict) or writer.get("Resource") != PUT_OBJECT:
            found.append((f'The ResultWriter\'s "Resource" must be {PUT_OBJECT}', "ResultWriter"))
        elif "WriterConfig" in writer:
            found.append(("pytest-awsmsg does not support the ResultWriter's WriterConfig yet", "ResultWriter"))
    return found
