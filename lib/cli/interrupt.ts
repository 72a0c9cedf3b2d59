/**
 * Ctrl-C (SIGINT) and SIGTERM during training: the first one asks training
 * to stop at the end of the current step, where a checkpoint is saved; a
 * second Ctrl-C quits at once (the last epoch's checkpoint still holds).
 *
 * @module
 */

import { KitError } from "../base/errors.ts";

/** The exit code of a run stopped by a signal (128 + SIGINT's 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Listens for stop signals while a run trains. */
export interface StopListener {
  /** Whether a signal asked training to stop. */
  requested(): boolean;
  /** Removes the listeners (the default signal behaviour returns). */
  dispose(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Starts listening for Ctrl-C and SIGTERM.
 *
 * @returns The listener; call `dispose()` when training ends.
 */
export function listenForStop(): StopListener {
  let signals = 0;
  const handler = () => {
    signals++;
    if (signals === 1) {
      console.error(
        "\nstopping after this step and saving a checkpoint (Ctrl-C again quits at once)",
      );
    } else {
      Deno.exit(INTERRUPTED_EXIT_CODE);
    }
  };
  const listening = SIGNALS.filter((signal) => {
    try {
      Deno.addSignalListener(signal, handler);
      return true;
    } catch {
      return false; // e.g. SIGTERM on Windows
    }
  });
  return {
    requested: () => signals > 0,
    dispose: () => {
      for (const signal of listening) {
        Deno.removeSignalListener(signal, handler);
      }
    },
  };
}

/** A run stopped by a signal, its checkpoint saved; the CLI exits 130. */
export class RunInterrupted extends KitError {
  /**
   * @param step The last finished step.
   * @param epoch Its epoch.
   * @param runDir The run folder, to resume.
   */
  constructor(step: number, epoch: number, runDir: string) {
    super(
      `interrupted after step ${step} (epoch ${epoch}); the run is saved in ${runDir}`,
      `continue it with: deno task train --resume ${runDir}`,
    );
    this.name = "RunInterrupted";
  }
}
