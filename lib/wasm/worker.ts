/// <reference lib="deno.worker" />
/**
 * The second thread of the `wasm-workers` kernels: it instantiates the same
 * WebAssembly module on the same shared memory, then runs one `ab` job each
 * time the main thread bumps the job counter in the control block, and bumps
 * the done counter when finished. Between jobs it sleeps in `Atomics.wait`
 * (a round trip costs about 4 µs here), so it uses no CPU while idle.
 *
 * @module
 */

import { CONTROL, type WorkerStart } from "./protocol.ts";
import { GEMM_WASM_PLAIN, GEMM_WASM_RELAXED } from "./gemm_wasm.ts";

self.onmessage = (event: MessageEvent<WorkerStart>) => {
  const { memory, control, relaxed } = event.data;
  const bytes = Uint8Array.from(
    atob(relaxed ? GEMM_WASM_RELAXED : GEMM_WASM_PLAIN),
    (c) => c.charCodeAt(0),
  );
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: { memory },
  });
  const ab = instance.exports.ab as (...args: number[]) => void;
  const ctrl = new Int32Array(memory.buffer, control, CONTROL.length);
  Atomics.store(ctrl, CONTROL.ready, 1);
  Atomics.notify(ctrl, CONTROL.ready);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, CONTROL.job, seen);
    seen = Atomics.load(ctrl, CONTROL.job);
    if (seen < 0) break;
    const a = CONTROL.args;
    ab(
      ctrl[a],
      ctrl[a + 1],
      ctrl[a + 2],
      ctrl[a + 3],
      ctrl[a + 4],
      ctrl[a + 5],
      ctrl[a + 6],
      ctrl[a + 7],
    );
    Atomics.store(ctrl, CONTROL.done, seen);
    Atomics.notify(ctrl, CONTROL.done);
  }
  self.close();
};
