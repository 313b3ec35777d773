"""Differential check of the kit's JSONata against the reference implementation (opt-in, not in CI).

Runs a corpus of expressions through Node's ``jsonata`` package (the reference
implementation) and through the kit's evaluator (jsonata-python with Step
Functions' bindings), and reports every expression whose answers differ: the
value (as compact JSON text, so ``1`` and ``1.0`` differ), undefined, or an
error (messages are not compared, only that both failed). The corpus is the
kit's own expressions (every ``{% ... %}`` in tests/stepfunctions and docs/)
and a hand-written set in the style of AWS's JSONata examples, evaluated with
one ``$states`` object and a few variables. AWS's added functions ($partition,
$range, $hash, $random, $uuid, $parse) and the clock ($now, $millis) are the
kit's own and are left out.

Setup, once: ``npm ci --prefix benchmarks/differential/node`` (Node 18+).
Run: ``python benchmarks/differential/jsonata_oracle.py [-v]``; exit status 1
when they disagree.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from pytest_awsmsg.services.stepfunctions.errors import StatesError
from pytest_awsmsg.services.stepfunctions.models import dumps
from pytest_awsmsg.services.stepfunctions.query import Environment

# Where the kit differs on purpose: reported, not counted.
KNOWN = {
    "1e300 * 1e10": "an infinite result is a States.QueryEvaluationError (JSON has no Infinity; the reference "
    "hands JSON.stringify Infinity, which writes null)",
}
KNOWN_FUNCTION_RESULT = (
    "a function in a result is a States.QueryEvaluationError (the reference hands JSON.stringify its internals)"
)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NODE = HERE / "node"
OWN_FUNCTIONS = re.compile(r"\$(partition|range|hash|random|uuid|parse|now|millis|eval)\s*\(")
EXPRESSION = re.compile(r"\{%(.*?)%\}", re.DOTALL)

STATES: dict[str, Any] = {
    "input": {
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "tier": "gold"},
        "items": [
            {"sku": "A-1", "price": 12.5, "quantity": 2, "tags": ["new"]},
            {"sku": "B-2", "price": 3, "quantity": 10, "tags": []},
            {"sku": "C-3", "price": 40, "quantity": 1, "tags": ["sale", "new"]},
        ],
        "cost": 10,
        "approval": True,
        "n": 4,
        "order": {"id": 7, "product": "tea"},
        "text": "  Hello, World  ",
        "when": "2024-02-29T12:30:00.000Z",
        "values": [3, 1, 2, 3],
        "nothing": None,
    },
    "context": {"Execution": {"Name": "run-1", "Input": {}}, "State": {"Name": "S", "RetryCount": 0}},
    "result": {"Payload": {"price": 30, "ok": True}, "StatusCode": 200},
    "errorOutput": {"Error": "States.TaskFailed", "Cause": "boom"},
}
VARIABLES: dict[str, Any] = {"unit": 30, "rate": 0.8, "who": "Bob", "list": [1, 2, 3], "config": {"delay": 5}}

# In the style of AWS's "Transforming data with JSONata" examples: paths, operators, the standard library.
HAND_WRITTEN = [
    "$states.input.customer.name",
    "$states.input.items.sku",
    "$states.input.items[price > 10].sku",
    "$states.input.items[0]",
    "$states.input.items[-1].price",
    "$count($states.input.items)",
    "$sum($states.input.items.(price * quantity))",
    "$average($states.input.values)",
    "$max($states.input.items.price)",
    "$min($states.input.values)",
    "$round(3.14159, 2)",
    "$round(2.5)",
    "$round(3.5)",
    "$floor(-1.5)",
    "$ceil(1.2)",
    "$abs(-7)",
    "$power(2, 10)",
    "$sqrt(16)",
    "$number('12.50')",
    "$string(12.0)",
    "$string(1e21)",
    "$string(0.1 + 0.2)",
    "$string({'a': [1, 2]})",
    "$string($states.input.items[0], true)",
    "1 / 3",
    "10 % 3",
    "7 / 2",
    "$states.input.cost * $rate",
    "$unit * $states.input.n > 100",
    "$uppercase($states.input.customer.name)",
    "$lowercase('ÄBC')",
    "$substring('Hello World', 6)",
    "$substring('Hello World', -5, 3)",
    "$substringBefore($states.input.customer.email, '@')",
    "$substringAfter($states.input.customer.email, '@')",
    "$trim($states.input.text)",
    "$pad('7', 3, '0')",
    "$pad('7', -3, '0')",
    "$length('héllo')",
    "$contains('abcdef', 'cd')",
    "$contains('abc', /B/i)",
    "$split('a,b,,c', ',')",
    "$split('a1b22c', /[0-9]+/)",
    "$join(['a', 'b', 'c'], '-')",
    "$replace('one two two', 'two', '2')",
    "$replace('abc123', /[0-9]/, '#')",
    "$match('ab12cd345', /[0-9]+/).match",
    "$base64encode('Hello, World')",
    "$base64decode('SGVsbG8sIFdvcmxk')",
    "$encodeUrlComponent('a b&c=d')",
    "$encodeUrl('https://example.com/a b?x=1&y=a b')",
    "$decodeUrlComponent('a%20b%26c')",
    "$formatNumber(1234.5, '#,##0.00')",
    "$formatNumber(0.125, '0.0%')",
    "$formatBase(255, 16)",
    "$formatInteger(1999, 'I')",
    "$formatInteger(42, 'w')",
    "$parseInteger('forty-two', 'w')",
    "$toMillis('2024-02-29T12:30:00.000Z')",
    "$toMillis($states.input.when)",
    "$fromMillis(1709209800000)",
    "$fromMillis(1709209800000, '[Y0001]-[M01]-[D01]')",
    "$fromMillis(0, '[FNn], [D1o] [MNn] [Y]')",
    "$boolean('')",
    "$boolean([0])",
    "$not(false)",
    "$exists($states.input.missing)",
    "$exists($states.input.nothing)",
    "$type($states.input.nothing)",
    "$type($states.input.items)",
    "$keys($states.input.customer)",
    "$lookup($states.input.customer, 'tier')",
    "$merge([{'a': 1}, {'b': 2}, {'a': 3}])",
    "$spread({'a': 1, 'b': 2})",
    "$sift($states.input.customer, function($v, $k) {$k != 'email'})",
    "$each($states.input.customer, function($v, $k) {$k & '=' & $v})",
    "$sort($states.input.values)",
    "$sort($states.input.items, function($l, $r) {$l.price < $r.price}).sku",
    "$reverse($states.input.values)",
    "$distinct($states.input.values)",
    "$append([1, 2], [3])",
    "$append(1, 2)",
    "$zip([1, 2, 3], ['a', 'b'])",
    "$map($states.input.values, function($v, $i) {$v * $i})",
    "$filter($states.input.items, function($i) {'new' in $i.tags}).sku",
    "$reduce($states.input.values, function($a, $b) {$a + $b})",
    "$single($states.input.items, function($i) {$i.price = 3}).sku",
    "$states.input.items{sku: price}",
    "$states.input.items{$string(quantity > 1): sku}",
    "$states.input.items^(>price).sku",
    "$states.input.items#$i[$i > 0].sku",
    "$states.input.items@$it.tags@$t.{'sku': $it.sku, 'tag': $t}",
    "[1..5]",
    "[1..5][$ % 2 = 1]",
    "$states.input.cost < 10 ? 'approved' : 'ask'",
    "$states.input.approval and $states.input.n > 3",
    "'Hello ' & $states.input.customer.name & '!'",
    "$states.input.missing ? 'yes' : 'no'",
    "($x := 5; $y := $x * 2; $x + $y)",
    "(function($n) {$n <= 1 ? 1 : $n * $$fact($n - 1)})",
    "($fact := function($n) {$n <= 1 ? 1 : $n * $fact($n - 1)}; $fact(10))",
    "$states.result.Payload.price * $states.input.n",
    "$states.errorOutput.Error = 'States.TaskFailed'",
    "$states.context.Execution.Name",
    "$config.delay + 1",
    "{'total': $sum($list), 'who': $who}",
    "$states.input.items.tags",
    "$states.input.items.tags[0]",
    "$states.input.items.(tags)[0]",
    "$count($states.input.items.tags)",
    "[$states.input.items.tags]",
    "$states.input.items[tags = 'new'].sku",
    "$assert($states.input.n = 4, 'not four')",
    "$error('stop')",
    "$states.input.n.x",
    "$sum([])",
    "$average([])",
    "$max([])",
    "9007199254740993",
    "1e300 * 1e10",
    "0.1 * 3",
    "100000000000000000000",
    "$string(100000000000000000000)",
    "-0",
    "$number('1e3')",
    "$string(123456789012345680000)",
    "$formatNumber(1e6, '#,###')",
    "$string({'a': 0.1 + 0.2, 'b': [1e21, 1e-7, 0.000001, 123.456e5]})",
    "$string({'a': [1, {'b': null}], 'c': {}}, true)",
    "'n=' & 1e20",
    "$string(-1.5e-10)",
    "$string(12345678901234567)",
]


def corpus() -> list[str]:
    """The hand-written expressions, then every expression in the kit's tests and docs (once each)."""
    found = list(HAND_WRITTEN)
    sources = [*sorted((ROOT / "tests" / "stepfunctions").glob("*.py")), *sorted((ROOT / "docs").glob("*.md"))]
    for path in sources:
        for match in EXPRESSION.finditer(path.read_text(encoding="utf-8")):
            body = match.group(1).strip()
            if "\\" in body or '"' in body:  # escaped for Python or JSON source: not the expression as written
                continue
            found.append(body)
    unique = list(dict.fromkeys(found))
    return [expression for expression in unique if not OWN_FUNCTIONS.search(expression)]


def reference(expressions: list[str]) -> list[dict[str, Any]]:
    """The reference implementation's answers (Node, ``jsonata`` from npm)."""
    if not (NODE / "node_modules" / "jsonata").is_dir():
        sys.exit("Install the reference implementation first: npm ci --prefix benchmarks/differential/node")
    bindings = {"states": STATES, **VARIABLES}
    request = json.dumps([{"expression": e, "bindings": bindings} for e in expressions])
    done = subprocess.run(
        ["node", str(NODE / "evaluate.mjs")], input=request, capture_output=True, text=True, check=True, cwd=NODE
    )
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


def kit(expression: str) -> dict[str, Any]:
    """The kit's answer, in the same form as :func:`reference`'s."""
    env = Environment(STATES, VARIABLES, random.Random(0), lambda: 0)
    try:
        value = env.evaluate("{%" + expression + "%}", "Output")
    except StatesError as error:
        if error.cause.endswith("returned nothing (undefined)."):
            return {"kind": "undefined"}
        return {"kind": "error", "error": error.cause}
    return {"kind": "value", "text": dumps(value)}


def agree(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    return ours["kind"] == theirs["kind"] and ours.get("text") == theirs.get("text")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every expression, not only disagreements")
    args = parser.parse_args()
    expressions = corpus()
    theirs = reference(expressions)
    differing = known = 0
    for expression, answer in zip(expressions, theirs, strict=True):
        ours = kit(expression)
        same = agree(ours, answer)
        reason = None if same else _known(expression, ours, answer)
        differing += not same and reason is None
        known += reason is not None
        if args.verbose or not same:
            mark = "  same" if same else "known " if reason else "DIFFER"
            print(f"{mark}  {expression}")
            if reason:
                print(f"        {reason}")
            elif not same:
                print(f"        reference: {answer.get('text', answer['kind'])} {answer.get('error', '')}".rstrip())
                print(f"        kit:       {ours.get('text', ours['kind'])} {ours.get('error', '')}".rstrip())
    print(f"{len(expressions)} expressions, {differing} disagreements, {known} known differences")
    return 1 if differing else 0


def _known(expression: str, ours: dict[str, Any], theirs: dict[str, Any]) -> str | None:
    """Why the kit answers differently on purpose, or None (a disagreement to look into)."""
    if expression in KNOWN:
        return KNOWN[expression]
    if (
        ours["kind"] == "error"
        and "unsupported result type" in ours["error"]
        and '"_jsonata_function"' in str(theirs.get("text"))
    ):
        return KNOWN_FUNCTION_RESULT
    return None


if __name__ == "__main__":
    sys.exit(main())
