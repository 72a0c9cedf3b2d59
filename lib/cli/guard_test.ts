import assert from "node:assert/strict";
import { KitError } from "../base/errors.ts";
import { BUG_NOTICE, describeFailure, runGuarded } from "./guard.ts";

Deno.test("describeFailure() prints a KitError as error and help lines, no trace", () => {
  const text = describeFailure(
    new KitError("a.bin: truncated\nmore", "retry"),
    false,
  );
  assert.equal(text, "error: a.bin: truncated\nhelp: retry");
});

Deno.test("describeFailure() calls any other error a bug, with the trace only under --debug", () => {
  const error = new TypeError("x is undefined");
  assert.equal(
    describeFailure(error, false),
    `error: TypeError: x is undefined\nnote: ${BUG_NOTICE}`,
  );
  const debug = describeFailure(error, true);
  assert.match(
    debug,
    /^error: TypeError: x is undefined\nnote: .*\nTypeError: x is undefined\n\s+at /,
  );
});

Deno.test("describeFailure() describes thrown non-Errors: strings, undefined, null-prototype objects", () => {
  assert.match(
    describeFailure("boom", false),
    /^error: a non-Error value was thrown: "boom"\n/,
  );
  assert.match(
    describeFailure(undefined, true),
    /^error: a non-Error value was thrown: undefined\nnote: /,
  );
  assert.match(
    describeFailure(Object.create(null), false),
    /thrown: \[object Object\]/,
  );
});

Deno.test("runGuarded() returns 1 after a throw, passes the code through, and strips --debug", async () => {
  const seen: string[][] = [];
  const code = await runGuarded((args) => {
    seen.push(args);
    return Promise.resolve(7);
  }, ["--debug", "--epochs", "2"]);
  assert.equal(code, 7);
  assert.deepEqual(seen, [["--epochs", "2"]]);
  const originalError = console.error;
  const printed: string[] = [];
  console.error = (line: string) => printed.push(line);
  try {
    assert.equal(await runGuarded(() => Promise.reject(42), []), 1);
  } finally {
    console.error = originalError;
  }
  assert.deepEqual(printed, [
    `error: a non-Error value was thrown: 42\nnote: ${BUG_NOTICE}`,
  ]);
});
