import assert from "node:assert/strict";
import {
  benchRow,
  fastestPeers,
  formatBenchTable,
  skippedRow,
} from "./bench.ts";
import { benchPeer, benchTfjs } from "./peers.ts";
import { UNCHECKED_V8_FLAGS } from "./bench_runs.ts";

/** A row that ran, of the given kind, at `seconds` per epoch. */
function row(
  name: string,
  dtype: "f32" | "f64",
  kind: "kit" | "peer",
  seconds: number,
) {
  const r = benchRow(name, dtype, [seconds, seconds, seconds], [], 0.97);
  r.kind = kind;
  return r;
}

Deno.test("fastestPeers takes the fastest peer that ran, per float type, never a kit row", () => {
  const rows = [
    row("lib wasm-workers", "f32", "kit", 0.1),
    row("eigen 2", "f32", "peer", 0.3),
    row("eigen 1", "f32", "peer", 0.2),
    row("numpy", "f64", "peer", 0.9),
    { ...skippedRow("torch", "f32", "missing"), median: 0.01 },
  ];
  assert.deepEqual(fastestPeers(rows), { f32: 0.2, f64: 0.9 });
});

Deno.test("formatBenchTable gives each row's ratio to the fastest peer of its float type", () => {
  const table = formatBenchTable([
    row("lib wasm-workers", "f32", "kit", 0.1),
    row("eigen", "f32", "peer", 0.2),
    row("lib fast", "f64", "kit", 1.5),
    row("numpy", "f64", "peer", 0.5),
  ]);
  const ratios = table.split("\n").slice(2).map((line) =>
    line.trim().split(/\s+/).at(-1)
  );
  assert.deepEqual(ratios, ["0.50x", "1.00x", "3.00x", "1.00x"]);
});

Deno.test("formatBenchTable shows no ratio for a float type no peer ran in", () => {
  const table = formatBenchTable([row("lib fast", "f64", "kit", 1.5)]);
  assert.equal(table.split("\n")[2].trim().split(/\s+/).at(-1), "-");
});

Deno.test("benchPeer turns a missing program, a failure and unreadable output into skipped rows", async () => {
  const deno = Deno.execPath();
  const cases = [
    [["/nonexistent/peer"], /nonexistent|No such file|not found/i],
    [
      [deno, "eval", "console.error('no torch'); Deno.exit(3)"],
      /exited with 3: no torch/,
    ],
    [[deno, "eval", "console.log('hello')"], /unreadable output/],
  ] as const;
  for (const [command, note] of cases) {
    const result = await benchPeer("peer", "f32", [...command], 0.97);
    assert.equal(result.status, "skipped", command.join(" "));
    assert.match(result.note ?? "", note);
  }
});

Deno.test("benchPeer reads a peer's epochs and accuracies into a peer row", async () => {
  const output = JSON.stringify({
    epoch_seconds: [3, 1, 2],
    test_accuracy: [0.9, 0.96, 0.975],
  });
  const result = await benchPeer(
    "peer",
    "f64",
    [Deno.execPath(), "eval", `console.log(${JSON.stringify(output)})`],
    0.97,
  );
  assert.equal(result.kind, "peer");
  assert.equal(result.median, 2);
  assert.equal(result.secondsToTarget, 6);
});

Deno.test("benchTfjs: an install that fails is a skipped row carrying npm's command, and nothing runs", async () => {
  const row = await benchTfjs(
    "/nonexistent/peers",
    "/nonexistent/data",
    { maxEpochs: 3, target: 0.97 },
    () =>
      Promise.resolve("npm could not install TensorFlow.js (npm install x)"),
  );
  assert.equal(row.status, "skipped");
  assert.equal(row.dtype, "f32");
  assert.match(
    row.note!,
    /^(npm could not install .*npm install x|needs Node)/,
  );
});

Deno.test("the TensorFlow.js peer program parses under Node", async () => {
  const peer = new URL("../../bench/peers/tfjs_mlp.mjs", import.meta.url);
  const check = await new Deno.Command("node", {
    args: ["--check", peer.pathname],
    stderr: "piped",
  }).output();
  assert.ok(check.success, new TextDecoder().decode(check.stderr));
});

Deno.test("UNCHECKED_V8_FLAGS are flags this V8 knows (an unknown one makes deno exit 1), and the check tells them apart", async () => {
  const exitCode = async (flags: readonly string[]) =>
    (await new Deno.Command(Deno.execPath(), {
      args: ["eval", `--v8-flags=${flags.join(",")}`, "0"],
      stdout: "null",
      stderr: "null",
    }).output()).code;
  assert.equal(await exitCode(UNCHECKED_V8_FLAGS), 0);
  assert.notEqual(await exitCode(["--no-such-wasm-flag"]), 0);
});
