import assert from "node:assert/strict";
import { benchRow, skippedRow } from "./bench.ts";
import {
  epochsToTarget,
  expectedSeconds,
  formatSeedStudy,
  kitSeedStudy,
  peerSeedStudy,
} from "./seeds.ts";
import { Rng } from "../base/rng.ts";
import type { Mnist } from "../data/mnist.ts";

Deno.test("epochsToTarget: the first epoch from the third on at or above the target, 1-based", () => {
  assert.equal(epochsToTarget([0.9, 0.95, 0.97], 0.97), 3); // exactly the target
  assert.equal(epochsToTarget([0.98, 0.98, 0.98, 0.98], 0.97), 3); // not 1
  assert.equal(epochsToTarget([0.9, 0.95, 0.96, 0.971, 0.96, 0.98], 0.97), 4);
  assert.equal(epochsToTarget([0.9, 0.971, 0.969, 0.96, 0.975], 0.97), 5);
  assert.equal(epochsToTarget([0.9, 0.96, 0.969], 0.97), null);
  assert.equal(epochsToTarget([0.99, 0.99], 0.97), null); // stopped too early
  assert.equal(epochsToTarget([], 0.97), null);
});

Deno.test("expectedSeconds: the first epoch, then the mean's other epochs at the median", () => {
  const row = benchRow("x", "f32", [0.6, 0.3, 0.5, 0.4], [], 0.97);
  assert.equal(row.median, 0.45);
  assert.ok(Math.abs(expectedSeconds(row, 5.5)! - (0.6 + 4.5 * 0.45)) < 1e-12);
  assert.equal(expectedSeconds(row, 1), 0.6);
  assert.equal(expectedSeconds(skippedRow("x", "f32", "missing"), 5), null);
  assert.equal(expectedSeconds(undefined, 5), null);
});

/** The main comparison's f32 rows the study's rows are matched to. */
function mainRows() {
  const peer = (name: string, seconds: number[]) => ({
    ...benchRow(name, "f32", seconds, [], 0.97),
    kind: "peer" as const,
  });
  return [
    benchRow("lib wasm-workers", "f32", [0.6, 0.3, 0.3], [], 0.97),
    peer("numpy (1 thread)", [0.5, 0.5, 0.5]),
    peer("c++ eigen -O3 (1 thread)", [0.4, 0.4, 0.4]),
    // The f64 row of the same name must not be the one used.
    { ...benchRow("numpy (1 thread)", "f64", [9, 9, 9], [], 0.97) },
  ];
}

Deno.test("formatSeedStudy: means, expected seconds and the ratio to the fastest peer's expected time", () => {
  const table = formatSeedStudy(
    [
      { implementation: "lib wasm-workers", epochs: [5, 6, 4] },
      { implementation: "numpy (1 thread)", epochs: [4, 4, 4] },
      { implementation: "c++ eigen -O3 (1 thread)", epochs: [6, 6, 6] },
    ],
    mainRows(),
    { maxEpochs: 8, target: 0.97 },
  ).split("\n");
  const line = (name: string) => table.find((l) => l.startsWith(name))!;
  // kit: 0.6 + 4 · 0.3 = 1.8 s; numpy: 0.5 + 3 · 0.5 = 2.0 s; eigen: 0.4 + 5 · 0.4 = 2.4 s
  assert.match(line("lib wasm-workers"), /5 6 4\s+5\.00\s+1\.80 s\s+0\.90x$/);
  assert.match(line("numpy (1 thread)"), /4 4 4\s+4\.00\s+2\.00 s\s+1\.00x$/);
  assert.match(line("c++ eigen -O3 (1 thread)"), /6\.00\s+2\.40 s\s+1\.20x$/);
});

Deno.test("formatSeedStudy: a seed that missed counts as the limit (≥), and a skipped peer says why", () => {
  const table = formatSeedStudy(
    [
      { implementation: "lib wasm-workers", epochs: [5, null] },
      { implementation: "numpy (1 thread)", epochs: [], note: "no NumPy" },
      { implementation: "numpy (2 threads)", epochs: [4, 4] },
    ],
    mainRows(),
    { maxEpochs: 8, target: 0.97 },
  );
  assert.match(table, /lib wasm-workers\s+5 -\s+≥6\.50\s+2\.25 s\s+-\n/);
  assert.match(table, /numpy \(2 threads\)\s+4 4\s+4\.00\s+-\s+-/);
  assert.match(table, /numpy \(1 thread\)\s+skipped: no NumPy/);
});

/** A peer program that reaches the target after SEED + OFFSET epochs. */
const SEEDED_PEER = [
  Deno.execPath(),
  "eval",
  `const last = Number(Deno.env.get("SEED")) + Number(Deno.env.get("OFFSET"));
   const test_accuracy = Array.from({ length: last }, (_, i) => i === last - 1 ? 0.98 : 0.9);
   console.log(JSON.stringify({ epoch_seconds: test_accuracy.map(() => 1), test_accuracy }));`,
];

Deno.test("peerSeedStudy runs the peer once per seed, with SEED set and its own environment kept", async () => {
  const row = await peerSeedStudy(
    {
      implementation: "peer",
      dtype: "f32",
      command: SEEDED_PEER,
      env: { OFFSET: "2" },
    },
    { maxEpochs: 8, target: 0.97 },
    3,
  );
  assert.deepEqual(row, { implementation: "peer", epochs: [3, 4, 5] });
  const failing = await peerSeedStudy(
    {
      implementation: "peer",
      dtype: "f32",
      command: [
        Deno.execPath(),
        "eval",
        "Deno.exit(Number(Deno.env.get('SEED')) === 2 ? 3 : 0)",
      ],
      env: {},
    },
    { maxEpochs: 8, target: 0.97 },
    2,
  );
  assert.equal(failing.epochs.length, 0);
  assert.match(failing.note!, /unreadable output/);
});

/** 10,128 random sparse 28x28 images (10,000 held out), labels at random. */
function syntheticMnist(): Mnist {
  const rng = new Rng(3);
  const set = (count: number) => ({
    images: Uint8Array.from(
      { length: count * 784 },
      () => rng.uniform() < 0.2 ? 1 + Math.floor(rng.uniform() * 255) : 0,
    ),
    labels: Uint8Array.from({ length: count }, () => rng.int(10)),
    count,
    rows: 28,
    cols: 28,
  });
  return { train: set(10128), test: set(200), dir: "/nonexistent" };
}

Deno.test("kitSeedStudy stops each seed at the third epoch when the target is met at once, and gives null when never", async () => {
  const mnist = syntheticMnist();
  assert.deepEqual(
    await kitSeedStudy(mnist, { maxEpochs: 5, target: 0 }, 2),
    { implementation: "lib wasm-workers", epochs: [3, 3] },
  );
  assert.deepEqual(
    (await kitSeedStudy(mnist, { maxEpochs: 4, target: 1.01 }, 1)).epochs,
    [null],
  );
});
