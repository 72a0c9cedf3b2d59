/**
 * Progress output for training: a live bar with ETA on stderr when it is a
 * terminal (`npm:cli-progress`), plain per-epoch lines on stdout otherwise.
 *
 * @module
 */

import cliProgress from "cli-progress";
import process from "node:process";
import type { EpochMetrics } from "../train/train.ts";

/** Receives training progress. */
export interface ProgressReporter {
  /** After every step. */
  step(step: number, totalSteps: number, loss: number): void;
  /** After every epoch. */
  epoch(metrics: EpochMetrics, totalEpochs: number): void;
  /** When training ends, normally or not. */
  stop(): void;
}

/**
 * @param metrics One epoch's numbers.
 * @param totalEpochs How many epochs the run has.
 * @returns A fixed-width line such as
 * `epoch  3/20  loss 0.1073  train 96.75%  val 96.57%  2.26 s  22131 img/s`.
 */
export function formatEpoch(
  metrics: EpochMetrics,
  totalEpochs: number,
): string {
  const width = String(totalEpochs).length;
  return [
    `epoch ${String(metrics.epoch).padStart(width)}/${totalEpochs}`,
    `loss ${metrics.trainLoss.toFixed(4)}`,
    `train ${percent(metrics.trainAccuracy)}`,
    `val ${percent(metrics.validationAccuracy)}`,
    `${metrics.seconds.toFixed(2)} s`,
    `${Math.round(metrics.samplesPerSecond)} img/s`,
  ].join("  ");
}

/**
 * @param fraction A number in [0, 1].
 * @returns It as a percentage with two decimals, e.g. `98.22%`.
 */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

/** @returns A reporter that prints nothing (for `--quiet`). */
export function silentProgress(): ProgressReporter {
  return { step() {}, epoch() {}, stop() {} };
}

/** @returns A reporter that prints one line per epoch to stdout. */
export function lineProgress(): ProgressReporter {
  return {
    step() {},
    epoch(metrics, totalEpochs) {
      console.log(formatEpoch(metrics, totalEpochs));
    },
    stop() {},
  };
}

/**
 * @returns A reporter that draws a bar with ETA on stderr and prints each
 * finished epoch's line above it.
 */
export function barProgress(): ProgressReporter {
  const bar = new cliProgress.SingleBar({
    format:
      "{bar} {percentage}% | step {value}/{total} | loss {loss} | val {val} | ETA {eta_formatted}",
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 200,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  let lastDraw = 0;
  let validation = "-";
  return {
    step(step, totalSteps, loss) {
      if (!started) {
        bar.start(totalSteps, 0, { loss: "-", val: validation });
        started = true;
      }
      // Redrawing costs more than a step; 10 times a second is plenty.
      const now = performance.now();
      if (now - lastDraw > 100 || step === totalSteps) {
        bar.update(step, { loss: loss.toFixed(4), val: validation });
        lastDraw = now;
      }
    },
    epoch(metrics, totalEpochs) {
      validation = percent(metrics.validationAccuracy);
      bar.update({ val: validation });
      // Print the epoch's line above the bar: clear the bar's line first.
      process.stderr.write("\r\x1b[2K");
      console.log(formatEpoch(metrics, totalEpochs));
      bar.render();
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
