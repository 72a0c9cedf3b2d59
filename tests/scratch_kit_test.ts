/**
 * What the commands do when the kit's own files are broken or the
 * learner's code misbehaves, on scratch copies of the kit
 * (tests/helpers/scratch_kit.ts): a truncated curriculum.json, exercise
 * code that throws something other than an Error.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyKit } from "./helpers/scratch_kit.ts";
import { writeSyntheticMnist } from "./helpers/synthetic.ts";
import { type CommandResult, runScript } from "./helpers/cli.ts";

/** One line, `error: ...`, no trace, not called a bug in the kit. */
function assertOneErrorLine(result: CommandResult, message: RegExp) {
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, message);
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /Stack backtrace|^\s+at |bug in the kit/m);
}

/** A kit whose curriculum.json was cut in the middle (a half-written save). */
async function kitWithTruncatedCurriculum(): Promise<string> {
  const root = await copyKit();
  const path = join(root, "curriculum.json");
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, text.slice(0, Math.floor(text.length / 2)));
  return root;
}

const TRUNCATED = /^error: \S*curriculum\.json: cannot read \(/;

for (
  const [name, script, args] of [
    ["progress", "tools/progress.ts", []],
    ["check", "tools/check.ts", []],
    ["train --impl exercises", "bin/train.ts", ["--impl", "exercises"]],
  ] as const
) {
  Deno.test(`${name}: a truncated curriculum.json is one error line naming it`, async () => {
    const root = await kitWithTruncatedCurriculum();
    try {
      assertOneErrorLine(await runScript(script, [...args], root), TRUNCATED);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

/**
 * A finished learner's kit (the solutions in exercises/) where `fn` of
 * exercise 11 starts by throwing a string, and a data folder large enough
 * for the validation split.
 */
async function kitThrowingStringIn(fn: string) {
  const root = await copyKit({ exercisesFrom: "solutions" });
  const path = join(root, "exercises/11_mnist/mnist.ts");
  const text = await Deno.readTextFile(path);
  const start = new RegExp(`(export (async )?function ${fn}\\([^{]*\\{)`);
  assert.match(text, start);
  await Deno.writeTextFile(
    path,
    text.replace(start, '$1\n  throw "not a number";\n'),
  );
  const data = join(root, "mnist");
  await Deno.mkdir(data);
  await writeSyntheticMnist(data, { train: 10_100, test: 100 });
  return { root, data, out: join(root, "run") };
}

Deno.test("train --impl exercises: a string thrown by trainMnist is one error line, and no run folder is left", async () => {
  const { root, data, out } = await kitThrowingStringIn("trainMnist");
  try {
    const result = await runScript(
      "bin/train.ts",
      ["--impl", "exercises", "--data", data, "--out", out, "--quiet"],
      root,
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: your code threw: "not a number"\n/);
    assert.doesNotMatch(result.stderr, /Stack backtrace|bug in the kit/);
    await assert.rejects(() => Deno.stat(out), Deno.errors.NotFound);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("train --impl exercises: a string thrown by loadMnist is named in the data error", async () => {
  const { root, data, out } = await kitThrowingStringIn("loadMnist");
  try {
    const result = await runScript(
      "bin/train.ts",
      ["--impl", "exercises", "--data", data, "--out", out],
      root,
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: \S+: cannot load MNIST with the code in exercises\/ \("not a number"\)\n/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
