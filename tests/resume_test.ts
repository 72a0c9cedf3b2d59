/**
 * Interrupting `deno task train` (Ctrl-C, or a kill) and continuing it with
 * `--resume` ends with the uninterrupted run's metrics, value for value.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runScript } from "./helpers/cli.ts";
import { writeSyntheticMnist } from "./helpers/synthetic.ts";

const repo = new URL("../", import.meta.url).pathname;
// 2,000 training images in 125 steps an epoch, 12 epochs: a signal sent
// when epoch 1 is printed lands inside training (11 epochs remain), even on
// a fast machine, never in the report written after it.
const data = await writeSyntheticMnist(await Deno.makeTempDir(), {
  train: 12000,
  test: 100,
});
const flags = [
  ...["--epochs", "12", "--hidden", "16", "--batch-size", "16"],
  ...["--kernels", "fast", "--target", "1", "--data", data],
];

/** metrics.json without what differs between any two runs: the times. */
async function metricsOf(runDir: string): Promise<Record<string, unknown>> {
  const metrics = JSON.parse(
    await Deno.readTextFile(join(runDir, "metrics.json")),
  );
  const timing = new Set([
    "seconds",
    "samples_per_second",
    "train_seconds",
    "wall_seconds",
    "peak_rss_bytes",
    "started_at",
  ]);
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : typeof value === "object" && value !== null
      ? Object.fromEntries(
        Object.entries(value).filter(([k]) => !timing.has(k)).map((
          [k, v],
        ) => [k, strip(v)]),
      )
      : value;
  const stripped = strip(metrics) as Record<string, Record<string, unknown>>;
  delete stripped.config.out; // the folders differ
  delete stripped.config.resume;
  return stripped;
}

/** Starts a run and sends `signal` once it has printed epoch 1's line. */
async function interruptAfterEpoch1(
  out: string,
  signal: Deno.Signal,
): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bin/train.ts", ...flags, "--out", out],
    cwd: repo,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let seen = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    seen += decoder.decode(chunk, { stream: true });
    if (/^epoch +1\/12/m.test(seen)) break;
  }
  child.kill(signal);
  const { code } = await child.status;
  return { code, stderr: await stderr };
}

const whole = join(await Deno.makeTempDir(), "whole");
const uninterrupted = await runScript("bin/train.ts", [
  ...flags,
  "--out",
  whole,
]);
assert.equal(uninterrupted.code, 0, uninterrupted.stderr);

Deno.test("Ctrl-C saves a checkpoint mid-epoch, exits 130 naming --resume, and the resumed run ends with the same metrics", async () => {
  const out = join(await Deno.makeTempDir(), "run");
  const stopped = await interruptAfterEpoch1(out, "SIGINT");
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(
    stopped.stderr,
    /^error: interrupted after step \d+ \(epoch \d+\); the run is saved in .*\nhelp: continue it with: deno task train --resume /m,
  );
  const checkpoint = JSON.parse(
    await Deno.readTextFile(join(out, "checkpoint.json")),
  );
  assert.ok(checkpoint.progress.stepInEpoch > 0, "stopped mid-epoch");
  await assert.rejects(Deno.stat(join(out, "metrics.json")));
  const resumed = await runScript("bin/train.ts", ["--resume", out]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(await metricsOf(out), await metricsOf(whole));
  await assert.rejects(Deno.stat(join(out, "checkpoint.json")));
});

Deno.test("a run killed (SIGKILL) resumes from its last epoch's checkpoint, clears the stale lock, and ends with the same metrics", async () => {
  const out = join(await Deno.makeTempDir(), "run");
  const killed = await interruptAfterEpoch1(out, "SIGKILL");
  assert.notEqual(killed.code, 0);
  assert.ok((await Deno.stat(join(out, ".lock"))).isFile);
  const resumed = await runScript("bin/train.ts", ["--resume", out]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /^note: cleared the stale lock of process \d+/m);
  assert.deepEqual(await metricsOf(out), await metricsOf(whole));
});

Deno.test("--resume refuses other flags (exit 2), a finished run, and a folder without a checkpoint", async () => {
  const withFlag = await runScript("bin/train.ts", [
    "--resume",
    whole,
    "--epochs",
    "3",
  ]);
  assert.equal(withFlag.code, 2);
  assert.match(
    withFlag.stderr,
    /^error: --resume: continues with the run's saved flags, so --epochs cannot be given with it$/m,
  );
  const finished = await runScript("bin/train.ts", ["--resume", whole]);
  assert.equal(finished.code, 1);
  assert.match(
    finished.stderr,
    /the run finished \(metrics\.json is there\); there is nothing to resume/,
  );
  const empty = await Deno.makeTempDir();
  const none = await runScript("bin/train.ts", ["--resume", empty]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /checkpoint\.json: cannot read the checkpoint/);
  assert.doesNotMatch(
    none.stderr + finished.stderr,
    /Stack backtrace|bug in the kit/,
  );
});

Deno.test("deno task report on an interrupted run says to resume it", async () => {
  const runDir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(runDir, "checkpoint.json"), "{}");
  const result = await runScript("bin/report.ts", [runDir]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    new RegExp(
      `^error: .*metrics\\.json: missing; .*\\nhelp: the run was interrupted before it finished: continue it with \`deno task train --resume ${runDir}\`$`,
      "m",
    ),
  );
});
