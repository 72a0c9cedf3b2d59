import assert from "node:assert/strict";
import { chooseKernels, KERNEL_NAMES, type Machine } from "./registry.ts";

const full: Machine = { cores: 2, simd: true, relaxedSimd: true };

Deno.test("chooseKernels gives every set as asked, without a note, on a machine that runs them all", () => {
  for (const name of KERNEL_NAMES) {
    assert.deepEqual(chooseKernels(name, full), { name });
  }
});

Deno.test("chooseKernels: without WebAssembly SIMD both WebAssembly sets run on fast, saying so", () => {
  const noSimd = { ...full, simd: false, relaxedSimd: false };
  for (const name of ["wasm", "wasm-workers"] as const) {
    const choice = chooseKernels(name, noSimd);
    assert.equal(choice.name, "fast");
    assert.equal(
      choice.note,
      `this runtime has no WebAssembly SIMD: --kernels ${name} runs on the TypeScript kernels (fast)`,
    );
  }
  assert.deepEqual(chooseKernels("reference", noSimd), { name: "reference" });
});

Deno.test("chooseKernels: on one core wasm-workers runs as wasm, saying so; wasm stays", () => {
  const oneCore = { ...full, cores: 1 };
  assert.deepEqual(chooseKernels("wasm-workers", oneCore), {
    name: "wasm",
    note: "one CPU core: --kernels wasm-workers runs on one thread (wasm)",
  });
  assert.deepEqual(chooseKernels("wasm", oneCore), { name: "wasm" });
  assert.deepEqual(chooseKernels("fast", oneCore), { name: "fast" });
});

Deno.test("chooseKernels: without relaxed SIMD the WebAssembly sets still run, with a note on their numbers", () => {
  const plain = { ...full, relaxedSimd: false };
  for (const name of ["wasm", "wasm-workers"] as const) {
    const choice = chooseKernels(name, plain);
    assert.equal(choice.name, name);
    assert.match(choice.note!, /no relaxed SIMD: .*wasm-plain.*last bits/);
  }
  // No SIMD at all outranks the missing core.
  assert.equal(
    chooseKernels("wasm-workers", { cores: 1, simd: false, relaxedSimd: false })
      .name,
    "fast",
  );
});
