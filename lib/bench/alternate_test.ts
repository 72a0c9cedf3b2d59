import assert from "node:assert/strict";
import { formatRounds, kitRatios, type Round, warmEpoch } from "./alternate.ts";

Deno.test("warmEpoch: the median of every epoch but the first, odd and even counts", () => {
  assert.equal(warmEpoch([9, 0.4]), 0.4);
  assert.equal(warmEpoch([9, 0.5, 0.3]), 0.4);
  assert.equal(warmEpoch([0.1, 0.6, 0.2, 0.4]), 0.4); // a fast first epoch is left out too
  assert.throws(() => warmEpoch([0.3]), RangeError);
});

const ROUNDS: Round[] = [
  {
    "lib wasm-workers": 0.4,
    "numpy (1 thread)": 0.5,
    "eigen (1 thread)": 0.32,
  },
  {
    "lib wasm-workers": 0.3,
    "numpy (1 thread)": null,
    "eigen (1 thread)": 0.4,
  },
  {
    "lib wasm-workers": null,
    "numpy (1 thread)": 0.5,
    "eigen (1 thread)": 0.4,
  },
  { "lib wasm-workers": 0.6, "numpy (1 thread)": 0.5, "eigen (1 thread)": 0.6 },
];

Deno.test("kitRatios: each round against its own fastest peer that ran; the median of the rounds with both", () => {
  const { ratios, median } = kitRatios(ROUNDS);
  assert.deepEqual(ratios.map((r) => r?.toFixed(3) ?? null), [
    "1.250", // 0.4 / 0.32, not against numpy's 0.5
    "0.750", // a missing peer is not a zero
    null, // no kit
    "1.200", // 0.6 / 0.5: the fastest peer of this round
  ]);
  assert.equal(median!.toFixed(3), "1.200");
  assert.equal(kitRatios([{ "lib wasm-workers": 0.4 }]).median, null);
  assert.equal(
    kitRatios([{ "lib wasm-workers": 0.3, p: 0.3 }, {
      "lib wasm-workers": 0.5,
      p: 0.4,
    }])
      .median,
    1.125,
  );
});

Deno.test("kitRatios: the kit's other runs are never peers, and each can be the one compared", () => {
  const rounds: Round[] = [
    {
      "lib wasm-workers": 0.4,
      "lib wasm-workers, unchecked (unsafe)": 0.3,
      "numpy (2 threads)": 0.5,
    },
    {
      "lib wasm-workers": 0.6,
      "lib wasm-workers, unchecked (unsafe)": 0.35,
      "numpy (2 threads)": 0.5,
    },
  ];
  // Against numpy's 0.5 in both rounds, not against the unchecked run.
  assert.deepEqual(kitRatios(rounds).ratios, [0.8, 1.2]);
  assert.deepEqual(
    kitRatios(rounds, "lib wasm-workers, unchecked (unsafe)").ratios,
    [0.6, 0.7],
  );
});

Deno.test("formatRounds: a line per implementation, a column per round, the ratios and their median", () => {
  const lines = formatRounds(ROUNDS).split("\n");
  assert.equal(lines.length, 5, "no unchecked line without an unchecked run");
  assert.match(lines[0], /^implementation\s+#1\s+#2\s+#3\s+#4$/);
  assert.match(lines[2], /^numpy \(1 thread\)\s+0\.500\s+-\s+0\.500\s+0\.500$/);
  assert.match(
    lines[4],
    /^kit \/ fastest peer\s+1\.25x\s+0\.75x\s+-\s+1\.20x\s+median 1\.20x$/,
  );
});

Deno.test("formatRounds: with the unchecked run, a second ratio line for it", () => {
  const rounds: Round[] = ROUNDS.map((round, i) => ({
    ...round,
    "lib wasm-workers, unchecked (unsafe)": [0.24, 0.2, null, 0.45][i],
  }));
  const lines = formatRounds(rounds).split("\n");
  assert.equal(lines.length, 7);
  assert.match(
    lines[5],
    /^kit \/ fastest peer\s+1\.25x\s+0\.75x\s+-\s+1\.20x\s+median 1\.20x$/,
  );
  assert.match(
    lines[6],
    /^unchecked kit \/ fastest peer\s+0\.75x\s+0\.50x\s+-\s+0\.90x\s+median 0\.75x$/,
  );
});
