/// <reference lib="deno.worker" />
/**
 * The second thread of the `wasm-workers` kernels: it instantiates the same
 * WebAssembly module on the same shared memory, then runs one job (its
 * share of an `ab` or `atb_slices` product, of an `sgd` update, or of a
 * large batch's loss, the one job in TypeScript) each time the main thread
 * bumps the job counter in the control block, and bumps the done counter
 * when finished. Between jobs it spins for about a millisecond, then sleeps
 * in `Atomics.wait` ({@link awaitChange}), so it uses no CPU once training
 * stops.
 *
 * @module
 */

import {
  awaitChange,
  claim,
  CONTROL,
  controlViews,
  JOB_SIGNATURES,
  readArgs,
  SPINS,
  type WorkerStart,
} from "./protocol.ts";
import { instantiate } from "./module.ts";

self.onmessage = (event: MessageEvent<WorkerStart>) => {
  const { memory, control, relaxed, spins = SPINS } = event.data;
  const kernels = instantiate(memory, relaxed);
  const views = controlViews(memory.buffer, control);
  const ctrl = views.ints;
  Atomics.store(ctrl, CONTROL.ready, 1);
  Atomics.notify(ctrl, CONTROL.ready);
  // Spin a while before sleeping: waking from Atomics.wait takes tens of
  // microseconds here, longer than the jobs of a batch-64 step, which come a
  // few hundred microseconds apart.
  let seen = 0;
  for (;;) {
    seen = awaitChange(ctrl, CONTROL.job, seen, spins);
    if (seen < 0) break;
    if (!claim(ctrl, seen)) continue; // the main thread ran it
    const kind = ctrl[CONTROL.kind];
    try {
      kernels[JOB_SIGNATURES[kind].kernel](...readArgs(views, kind));
    } catch (error) {
      // Report it rather than die: the main thread is spinning on `done`.
      console.error(`kernel worker: ${JOB_SIGNATURES[kind].kernel}:`, error);
      Atomics.store(ctrl, CONTROL.failed, 1);
    }
    Atomics.store(ctrl, CONTROL.done, seen);
    Atomics.notify(ctrl, CONTROL.done);
  }
  self.close();
};
