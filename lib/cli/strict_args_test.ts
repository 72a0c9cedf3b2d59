import assert from "node:assert/strict";
import { parseDecimal, repeatedFlag } from "./strict_args.ts";
import { parseTrainArgs, TRAIN_FLAGS, UsageError } from "./train_args.ts";

Deno.test("repeatedFlag() finds a flag given twice in any spelling", () => {
  assert.equal(
    repeatedFlag(["--epochs", "2", "--epochs=3"], TRAIN_FLAGS),
    "epochs",
  );
  assert.equal(
    repeatedFlag(["--nesterov", "--no-nesterov"], TRAIN_FLAGS),
    "nesterov",
  );
  assert.equal(repeatedFlag(["-h", "--help"], TRAIN_FLAGS), "help");
  assert.equal(
    repeatedFlag(["--lr", "0.1", "--lr-min", "0"], TRAIN_FLAGS),
    undefined,
  );
  assert.equal(
    repeatedFlag(["--quiet", "--", "--quiet"], TRAIN_FLAGS),
    undefined,
  );
});

Deno.test("parseTrainArgs() refuses a repeated flag, naming it", () => {
  assert.throws(
    () => parseTrainArgs(["--seed", "1", "--epochs", "2", "--seed", "2"]),
    (error) =>
      error instanceof UsageError &&
      error.message === "--seed: given twice; give each flag once",
  );
});

Deno.test("parseDecimal() reads decimals and exponents, nothing else", () => {
  for (
    const [text, value] of [
      ["16", 16],
      ["0.05", 0.05],
      ["5e-4", 5e-4],
      [".5", 0.5],
      ["-1", -1],
      ["+2.", 2],
    ] as const
  ) {
    assert.equal(parseDecimal(text), value, text);
  }
  for (
    const text of [
      "0x10",
      "0b1",
      "0o7",
      "",
      " ",
      " 1",
      "1 ",
      "Infinity",
      "NaN",
      "1e",
      "1_000",
      "1,5",
    ]
  ) {
    assert.ok(Number.isNaN(parseDecimal(text)), JSON.stringify(text));
  }
});

Deno.test("parseTrainArgs() refuses --epochs=0x10 and an empty --lr, naming the flag", () => {
  assert.throws(
    () => parseTrainArgs(["--epochs=0x10"]),
    /^UsageError: --epochs: expected a whole number ≥ 1, got "0x10"$/,
  );
  assert.throws(
    () => parseTrainArgs(["--lr="]),
    /--lr: expected a positive number, got ""/,
  );
});

Deno.test("parseTrainArgs() reads --force and --max-memory, with their defaults", () => {
  const given = parseTrainArgs(["--force", "--max-memory", "512"]);
  const defaults = parseTrainArgs([]);
  assert.ok(given !== "help" && defaults !== "help");
  assert.deepEqual([given.force, given.maxMemoryMb], [true, 512]);
  assert.deepEqual([defaults.force, defaults.maxMemoryMb], [false, 4096]);
  assert.throws(() => parseTrainArgs(["--max-memory", "0"]), /--max-memory/);
});
