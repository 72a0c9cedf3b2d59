/**
 * A run's training curves from its `metrics.json`: accuracy (per batch, per
 * epoch, validation), training loss, and the learning rate at every step,
 * each as an SVG line chart. The x axis is the epoch; batch `i` (from 0)
 * of a run with `S` steps per epoch sits at `(i + 1) / S`, the end of the
 * batch, so epoch `e`'s last batch and its epoch values line up at `e`.
 *
 * @module
 */

import { learningRateAt } from "../optim/schedule.ts";
import { lineChart, type Series } from "./charts.ts";
import type { RunMetrics } from "./run_metrics.ts";

/** A chart and how the report names and explains it. */
export interface Curve {
  /** Its `data-figure` name in the page. */
  name: string;
  /** Its file name in `figures/`. */
  file: string;
  /** One sentence under the chart. */
  caption: string;
  /** The chart. */
  svg: string;
}

/**
 * Recomputes the learning rate the run used at each step, from its
 * schedule flags (the same `learningRateAt` training called).
 *
 * @param m The run's metrics.
 * @param maxPoints At most about this many points (every k-th step, plus
 * the last); default 1,000.
 * @returns `[epoch, learning rate]` points in step order.
 */
export function learningRatePoints(
  m: RunMetrics,
  maxPoints = 1000,
): [number, number][] {
  const steps = m.batch_accuracy.length;
  const perEpoch = steps / m.epochs.length;
  const schedule = {
    kind: m.config.schedule,
    lr: m.config.lr,
    lrMin: m.config.lr_min,
  };
  const every = Math.max(1, Math.floor(steps / maxPoints));
  const points: [number, number][] = [];
  for (let step = 0; step < steps; step += every) {
    points.push([(step + 1) / perEpoch, learningRateAt(schedule, step, steps)]);
  }
  if ((steps - 1) % every !== 0) {
    points.push([
      steps / perEpoch,
      learningRateAt(schedule, steps - 1, steps),
    ]);
  }
  return points;
}

/**
 * Draws a run's three curves.
 *
 * @param m The run's metrics.
 * @returns Accuracy, loss and learning-rate charts, in page order.
 */
export async function runCurves(m: RunMetrics): Promise<Curve[]> {
  const perEpoch = m.batch_accuracy.length / m.epochs.length;
  const batch = (values: number[], floor = -Infinity): Series["points"] =>
    values.map((v, i) => [(i + 1) / perEpoch, Math.max(v, floor)]);
  const epoch = (pick: (e: RunMetrics["epochs"][number]) => number) =>
    m.epochs.map((e): [number, number] => [e.epoch, pick(e)]);
  const accuracy = await lineChart([
    {
      name: "training, per batch",
      style: "thin",
      points: batch(m.batch_accuracy),
    },
    {
      name: "training, epoch mean",
      style: "marked",
      points: epoch((e) => e.train_accuracy),
    },
    {
      name: "validation, after the epoch",
      style: "marked",
      points: epoch((e) => e.val_accuracy),
    },
  ], { title: "Accuracy", x: "epoch", y: "accuracy" });
  const loss = await lineChart([
    {
      name: "training loss, per batch",
      style: "thin",
      points: batch(m.batch_loss, 1e-4),
    },
    {
      name: "training loss, epoch mean",
      style: "marked",
      points: epoch((e) => e.train_loss),
    },
  ], {
    title: "Training loss (cross-entropy, log scale)",
    x: "epoch",
    y: "loss",
    yScale: "log",
  });
  const learningRate = await lineChart([{
    name: `${m.config.schedule} schedule`,
    style: "line",
    points: learningRatePoints(m),
  }], { title: "Learning rate", x: "epoch", y: "learning rate", height: 160 });
  return [
    {
      name: "accuracy",
      file: "accuracy.svg",
      caption:
        "Training accuracy per batch (faint) and per epoch, and validation accuracy after each epoch.",
      svg: accuracy,
    },
    {
      name: "loss",
      file: "loss.svg",
      caption:
        "Training loss per batch (faint, floored at 1e-4 for the log scale) and its mean per epoch.",
      svg: loss,
    },
    {
      name: "learning-rate",
      file: "learning_rate.svg",
      caption:
        `The learning rate at every step (${m.config.schedule} schedule from ${m.config.lr}).`,
      svg: learningRate,
    },
  ];
}
