import assert from "node:assert/strict";
import { repeatedFlag } from "./strict_args.ts";
import { parseTrainArgs, UsageError } from "./train_args.ts";

const FLAGS = {
  epochs: {},
  lr: {},
  "lr-min": {},
  nesterov: {},
  quiet: {},
  help: { short: "h" },
};

Deno.test("repeatedFlag() finds a flag given twice in any spelling", () => {
  assert.equal(
    repeatedFlag(["--epochs", "2", "--epochs=3"], FLAGS),
    "epochs",
  );
  assert.equal(
    repeatedFlag(["--nesterov", "--no-nesterov"], FLAGS),
    "nesterov",
  );
  assert.equal(repeatedFlag(["-h", "--help"], FLAGS), "help");
  assert.equal(
    repeatedFlag(["--lr", "0.1", "--lr-min", "0"], FLAGS),
    undefined,
  );
  assert.equal(
    repeatedFlag(["--quiet", "--", "--quiet"], FLAGS),
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
