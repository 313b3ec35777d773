"""Distributed Map ItemReader and ResultWriter reaching S3: the test's callables, or moto beside the kit."""

from __future__ import annotations

import gzip
import json
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

from .conftest import MachineFactory

DISTRIBUTED = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}


def _map(**fields: Any) -> dict[str, Any]:
    """A machine of one distributed Map whose iterations echo their input."""
    processor = {**DISTRIBUTED, "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    return {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}}}


def _run(aws: Cloud, sfn: Any, make_machine: MachineFactory, machine: dict[str, Any], data: Any = None) -> Any:
    arn = make_machine(machine)
    run = sfn.start_execution(stateMachineArn=arn, input=json.dumps(data or {}))["executionArn"]
    return aws.stepfunctions.wait_for(run)


def _objects(objects: dict[tuple[str, str], bytes | str]) -> Any:
    def reader(bucket: str, key: str) -> bytes | str:
        return objects[(bucket, key)]

    return reader


def test_a_json_array_is_read_and_each_item_selected(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.stepfunctions.s3(reader=_objects({("orders", "today.json"): '[{"id": 1}, {"id": 2}, {"id": 3}]'}))
    machine = _map(
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON", "MaxItems": 2},
            "Parameters": {"Bucket": "orders", "Key.$": "$.key"},
        },
        ItemSelector={"order.$": "$$.Map.Item.Value.id", "index.$": "$$.Map.Item.Index"},
    )
    view = _run(aws, sfn, make_machine, machine, {"key": "today.json"})
    assert view.status == "SUCCEEDED"
    assert view.output == [{"order": 1, "index": 0}, {"order": 2, "index": 1}]


CSV = "sku,qty\ntea,2\ncoffee,1\n"


@pytest.mark.parametrize(
    ("config", "body", "expected"),
    [
        (
            {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            CSV,
            [{"sku": "tea", "qty": "2"}, {"sku": "coffee", "qty": "1"}],
        ),
        (
            {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["product", "count"], "MaxItems": 2},
            CSV,
            [{"product": "sku", "count": "qty"}, {"product": "tea", "count": "2"}],
        ),
        ({"InputType": "CSV", "CSVDelimiter": "PIPE"}, "a|b\n1|2\n", [{"a": "1", "b": "2"}]),
        ({"InputType": "JSONL"}, '{"n": 1}\n\n{"n": 2}\n', [{"n": 1}, {"n": 2}]),
    ],
)
def test_csv_and_json_lines_become_items(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, config: dict[str, Any], body: str, expected: list[Any]
) -> None:
    aws.stepfunctions.s3(reader=_objects({("b", "k"): body}))
    machine = _map(
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": config,
            "Parameters": {"Bucket": "b", "Key": "k"},
        }
    )
    assert _run(aws, sfn, make_machine, machine).output == expected


def test_a_jsonata_map_reads_with_arguments(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.stepfunctions.s3(reader=_objects({("b", "in/2.json"): "[10, 20]"}))
    machine = _map(
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Arguments": {"Bucket": "b", "Key": "{% 'in/' & $string($states.input.day) & '.json' %}"},
        },
        ItemSelector={"doubled": "{% $states.context.Map.Item.Value * 2 %}"},
    )
    machine["QueryLanguage"] = "JSONata"
    assert _run(aws, sfn, make_machine, machine, {"day": 2}).output == [{"doubled": 20}, {"doubled": 40}]


def test_an_s3_inventory_manifest_lists_its_objects(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    manifest = {
        "sourceBucket": "photos",
        "destinationBucket": "arn:aws:s3:::inventory",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size",
        "files": [{"key": "photos/data/part-0.csv.gz"}],
    }
    objects = {
        ("inventory", "photos/manifest.json"): json.dumps(manifest),
        ("inventory", "photos/data/part-0.csv.gz"): gzip.compress(b'"photos","a.jpg","10"\n"photos","b.jpg","20"\n'),
    }
    aws.stepfunctions.s3(reader=_objects(objects))  # type: ignore[arg-type]
    machine = _map(
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "MANIFEST"},
            "Parameters": {"Bucket": "inventory", "Key": "photos/manifest.json"},
        }
    )
    assert _run(aws, sfn, make_machine, machine).output == [
        {"Bucket": "photos", "Key": "a.jpg", "Size": "10"},
        {"Bucket": "photos", "Key": "b.jpg", "Size": "20"},
    ]


def test_results_are_written_with_a_manifest_as_aws_lays_them_out(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    written: dict[tuple[str, str], Any] = {}
    aws.stepfunctions.s3(
        reader=_objects({("b", "k"): "[1, 2]"}),
        writer=lambda bucket, key, body: written.__setitem__((bucket, key), json.loads(body)),
    )
    machine = _map(
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "b", "Key": "k"},
        },
        ResultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "results", "Prefix": "runs/"},
        },
    )
    view = _run(aws, sfn, make_machine, machine)
    run_arn = view.output["MapRunArn"]
    run_id = run_arn.rsplit(":", 1)[-1]
    assert view.output == {
        "MapRunArn": run_arn,
        "ResultWriterDetails": {"Bucket": "results", "Key": f"runs/{run_id}/manifest.json"},
    }
    manifest = written[("results", f"runs/{run_id}/manifest.json")]
    succeeded = written[("results", f"runs/{run_id}/SUCCEEDED_0.json")]
    assert manifest["DestinationBucket"] == "results"
    assert manifest["MapRunArn"] == run_arn
    assert manifest["ResultFiles"]["FAILED"] == manifest["ResultFiles"]["PENDING"] == []
    assert manifest["ResultFiles"]["SUCCEEDED"][0]["Key"] == f"runs/{run_id}/SUCCEEDED_0.json"
    assert sorted(entry["Output"] for entry in succeeded) == ["1", "2"]
    assert {entry["Status"] for entry in succeeded} == {"SUCCEEDED"}
    assert set(succeeded[0]) >= {"ExecutionArn", "Input", "Name", "StartDate", "StateMachineArn", "StopDate"}
    assert ("results", f"runs/{run_id}/FAILED_0.json") not in written


def test_with_nothing_answering_s3_the_map_fails_saying_what_to_do(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    machine = _map(
        ItemReader={
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            "Parameters": {"Bucket": "photos"},
        }
    )
    view = _run(aws, sfn, make_machine, machine)
    assert view.status == "FAILED"
    assert view.error == "States.ItemReaderFailed"
    assert "register aws.stepfunctions.s3(reader=..., writer=...) or run it under moto's mock_aws" in view.cause


def test_moto_answers_s3_beside_the_kit_for_listing_reading_and_writing(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="photos")
        s3.create_bucket(Bucket="results")
        s3.put_object(Bucket="photos", Key="in/a.jpg", Body=b"aaaa")
        s3.put_object(Bucket="photos", Key="in/b.jpg", Body=b"bb")
        s3.put_object(Bucket="photos", Key="other/c.jpg", Body=b"c")
        machine = _map(
            ItemReader={
                "Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": {"Bucket": "photos", "Prefix": "in/"},
            },
            ItemSelector={"key.$": "$$.Map.Item.Value.Key", "size.$": "$$.Map.Item.Value.Size"},
            ResultWriter={
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "results", "Prefix": "out"},
            },
        )
        view = _run(aws, sfn, make_machine, machine)
        assert view.status == "SUCCEEDED"
        manifest = json.loads(
            s3.get_object(Bucket="results", Key=view.output["ResultWriterDetails"]["Key"])["Body"].read()
        )
        (listed,) = manifest["ResultFiles"]["SUCCEEDED"]
        results = json.loads(s3.get_object(Bucket="results", Key=listed["Key"])["Body"].read())
    assert sorted(json.loads(entry["Output"])["key"] for entry in results) == ["in/a.jpg", "in/b.jpg"]
    assert sorted(json.loads(entry["Output"])["size"] for entry in results) == [2, 4]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"ItemReader": {"Resource": "arn:aws:states:::s3:getObjectz", "Parameters": {}}},
            'The ItemReader\'s "Resource" must be arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2',
        ),
        (
            {"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "XML"}}},
            'The ReaderConfig\'s "InputType" must be one of JSON, JSONL, CSV, MANIFEST',
        ),
        (
            {"ResultWriter": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {}}},
            'The ResultWriter\'s "Resource" must be arn:aws:states:::s3:putObject',
        ),
    ],
)
def test_a_bad_reader_or_writer_is_refused_at_creation(
    sfn: Any, make_machine: MachineFactory, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        make_machine(_map(**fields))
    assert message in str(caught.value)


def test_an_inline_map_cannot_read_from_s3(sfn: Any, make_machine: MachineFactory) -> None:
    machine = _map(ItemReader={"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "b"}})
    machine["States"]["Each"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "INLINE"}
    with pytest.raises(
        sfn.exceptions.InvalidDefinition, match='"ItemReader" is only supported by a Map state in DISTRIBUTED'
    ):
        make_machine(machine)


def test_a_distributed_map_takes_its_items_from_items_path_or_items(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    by_path = _map(ItemsPath="$.orders", ItemSelector={"id.$": "$$.Map.Item.Value"})
    assert _run(aws, sfn, make_machine, by_path, {"orders": ["a", "b"]}).output == [{"id": "a"}, {"id": "b"}]
    by_items = _map(Items="{% $append($states.input.orders, ['c']) %}")
    by_items["QueryLanguage"] = "JSONata"
    assert _run(aws, sfn, make_machine, by_items, {"orders": ["a", "b"]}).output == ["a", "b", "c"]
