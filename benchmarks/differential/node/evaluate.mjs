// Evaluates a corpus of JSONata expressions with the reference implementation (npm "jsonata").
// Reads [{expression, bindings}] as JSON on stdin; writes [{kind, value?, error?}] as JSON on stdout,
// kind being "value" (with the value's compact JSON text), "undefined" or "error". Used by ../jsonata_oracle.py.
import jsonata from "jsonata";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const corpus = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const answers = [];
for (const { expression, bindings } of corpus) {
  try {
    const value = await jsonata(expression).evaluate(undefined, bindings);
    const text = value === undefined ? undefined : JSON.stringify(value);
    answers.push(text === undefined ? { kind: "undefined" } : { kind: "value", text });
  } catch (error) {
    answers.push({ kind: "error", error: String(error.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(answers));
