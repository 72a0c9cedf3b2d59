/**
 * Builds every file of a run's report in memory, from its checked
 * `metrics.json`, the data it used and its first layer's weights. Nothing is
 * written here, so a failure leaves nothing behind.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { KitError } from "../base/errors.ts";
import type { Mnist } from "../data/mnist.ts";
import { confusionChart } from "./charts.ts";
import { confusionMatrix } from "./confusion.ts";
import {
  confidenceText,
  digitGrid,
  digitRaster,
  type MissedDigit,
  mostConfidentFirst,
} from "./digit_grid.ts";
import { type DigitCell, type MissedSection, reportHtml } from "./html.ts";
import { encodePng, pngDataUrl } from "./png.ts";
import { runCurves } from "./run_curves.ts";
import type { MetricsMiss, RunMetrics } from "./run_metrics.ts";
import { sideBySide } from "./terminal_digits.ts";
import { weightTiles } from "./weights_image.ts";

/** The report page's file name inside the run folder. */
export const REPORT_FILE = "report.html";
/** The folder, inside the run folder, that holds the figures as files. */
export const FIGURES_DIR = "figures";

/** What {@link buildReport} needs. */
export interface ReportInputs {
  /** The run folder, for titles and messages. */
  runDir: string;
  /** The run's checked `metrics.json`. */
  metrics: RunMetrics;
  /** The data the run trained on (validation = the last training images). */
  mnist: Mnist;
  /** The first layer's weights, `[pixels, units]` row-major. */
  firstLayer: { weights: ArrayLike<number>; units: number };
  /** Missed digits per grid; default 100. */
  gridLimit?: number;
  /** Missed test digits drawn in the terminal; default 5. */
  terminalDigits?: number;
}

/** A report, ready to write. */
export interface BuiltReport {
  /** Paths relative to the run folder, the page last, and their contents. */
  files: { path: string; data: Uint8Array | string }[];
  /** Missed test digits in Unicode blocks, for the end of a training run. */
  terminal: string;
}

/** A fraction as a percentage with two decimals. */
function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

function seconds(s: number): string {
  return s >= 100 ? `${s.toFixed(0)} s` : `${s.toFixed(2)} s`;
}

/** Fields newer runs add to metrics.json: shown when present. */
function optionalFacts(m: RunMetrics): [string, string][] {
  const extra = m as unknown as Record<string, unknown>;
  const facts: [string, string][] = [];
  if (typeof extra.wall_seconds === "number") {
    facts.push([
      "wall time, loading and evaluation included",
      seconds(extra.wall_seconds),
    ]);
  }
  if (typeof extra.peak_rss_bytes === "number") {
    facts.push([
      "peak memory",
      `${(extra.peak_rss_bytes / 2 ** 20).toFixed(0)} MiB`,
    ]);
  }
  return facts;
}

/**
 * Joins each mistake to its image: image `offset + index` of `images`
 * (indices already checked by {@link confusionMatrix}).
 */
function withImages(
  misses: readonly MetricsMiss[],
  images: Uint8Array,
  pixels: number,
  offset: number,
): MissedDigit[] {
  return misses.map((m) => ({
    ...m,
    image: images.subarray(
      (offset + m.index) * pixels,
      (offset + m.index + 1) * pixels,
    ),
  }));
}

/** Collects figure files as they are made; `add` returns the file's path. */
interface FigureFiles {
  files: BuiltReport["files"];
  add(name: string, data: Uint8Array | string): string;
}

function figureFiles(): FigureFiles {
  const files: BuiltReport["files"] = [];
  return {
    files,
    add(name, data) {
      const path = `${FIGURES_DIR}/${name}`;
      files.push({ path, data });
      return path;
    },
  };
}

function svgUrl(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

/**
 * Builds the page, the figure files and the terminal drawing of a run.
 *
 * @param inputs The run's metrics, data and weights.
 * @returns Every file of the report and the terminal drawing.
 * @throws {KitError} When the data does not match the metrics (another data
 * folder, or a changed one).
 */
export async function buildReport(inputs: ReportInputs): Promise<BuiltReport> {
  const { metrics: m, mnist, runDir } = inputs;
  const { rows, cols } = mnist.test;
  const confusion = checkedConfusion(m, mnist, `${runDir}/metrics.json`);
  const figures = figureFiles();
  const confusionSvg = await confusionChart(
    confusion,
    `Test set: true digit (rows) against predicted digit (columns)`,
  );
  const curves = (await runCurves(m)).map((c) => ({
    name: c.name,
    src: svgUrl(c.svg),
    caption: c.caption,
    file: figures.add(c.file, c.svg),
  }));
  const confusionFile = figures.add("confusion_test.svg", confusionSvg);
  const sets = missedSets(m, mnist);
  const missed = sets.map((set) =>
    missedSection(set, inputs.gridLimit ?? 100, mnist, figures)
  );
  const { weights, units } = inputs.firstLayer;
  const weightsPng = encodePng(weightTiles(weights, units, { rows, cols }));
  const page = reportHtml({
    title: `MNIST run report: ${runDir}`,
    headline: headline(m),
    curves,
    epochTable: epochTable(m),
    facts: facts(m),
    confusion: {
      src: svgUrl(confusionSvg),
      caption:
        `Counts of test images by true and predicted digit; the diagonal holds the ${
          m.data.test - m.missed.test.length
        } right answers, the coloured cells the ${m.missed.test.length} mistakes.`,
      file: confusionFile,
    },
    missed,
    weights: {
      src: pngDataUrl(weightsPng),
      caption:
        `The ${units} first-layer units' incoming weights as ${rows}x${cols} images: red positive, blue negative, each unit scaled to its own largest weight.`,
      file: figures.add("weights_layer0.png", weightsPng),
    },
  });
  const files = [...figures.files, { path: REPORT_FILE, data: page }];
  const firstTest = mostConfidentFirst(sets[0].misses).slice(
    0,
    inputs.terminalDigits ?? 5,
  );
  const terminal = firstTest.length === 0
    ? "no test digit was missed"
    : `the ${firstTest.length} test digits the network was most sure of and got wrong (of ${m.missed.test.length} missed):\n` +
      sideBySide(firstTest, { rows, cols });
  return { files, terminal };
}

/**
 * Checks that the data is the run's (counts, every miss's index and label)
 * and counts the test confusion matrix.
 *
 * @returns `[10, 10]` test counts by true and predicted digit.
 */
function checkedConfusion(m: RunMetrics, mnist: Mnist, source: string) {
  if (
    mnist.train.count !== m.data.train + m.data.validation ||
    mnist.test.count !== m.data.test
  ) {
    throw new KitError(
      `${m.data.dir}: holds ${mnist.train.count} training and ${mnist.test.count} test images, ` +
        `but ${source} expects ${
          m.data.train + m.data.validation
        } and ${m.data.test}`,
    );
  }
  const validationLabels = mnist.train.labels.subarray(m.data.train);
  confusionMatrix(
    validationLabels,
    m.missed.validation,
    `${source} (validation)`,
  );
  return confusionMatrix(mnist.test.labels, m.missed.test, source);
}

/** One set's mistakes, joined to their images. */
interface MissedSet {
  set: string;
  misses: MissedDigit[];
  total: number;
}

/** The test set's mistakes, then the validation set's. */
function missedSets(m: RunMetrics, mnist: Mnist): MissedSet[] {
  const pixels = mnist.test.rows * mnist.test.cols;
  return [
    {
      set: "test",
      misses: withImages(m.missed.test, mnist.test.images, pixels, 0),
      total: m.data.test,
    },
    {
      set: "validation",
      misses: withImages(
        m.missed.validation,
        mnist.train.images,
        pixels,
        m.data.train,
      ),
      total: m.data.validation,
    },
  ];
}

/** A set's missed digits, most confident first: page cells and grid file. */
function missedSection(
  { set, misses, total }: MissedSet,
  limit: number,
  mnist: Mnist,
  figures: FigureFiles,
): MissedSection {
  const { rows, cols } = mnist.test;
  const shown = mostConfidentFirst(misses).slice(0, limit);
  const cells: DigitCell[] = shown.map((d) => ({
    src: pngDataUrl(encodePng(digitRaster(d.image, rows, cols))),
    caption: `${d.label} → ${d.predicted}`,
    confidence: confidenceText(d.confidence),
    title:
      `${set} image ${d.index}: true ${d.label}, predicted ${d.predicted} with confidence ${
        confidenceText(d.confidence)
      }`,
  }));
  const file = shown.length > 0
    ? figures.add(
      `missed_${set}.png`,
      encodePng(digitGrid(shown, { rows, cols })),
    )
    : undefined;
  return { set, missed: misses.length, total, cells, file };
}

/** The page's headline figures: label, value, test hook. */
function headline(m: RunMetrics): [string, string, string][] {
  const trained = m.data.train * m.epochs.length;
  return [
    ["test accuracy", percent(m.test_accuracy), "test-accuracy"],
    ["validation accuracy", percent(m.val_accuracy), "validation-accuracy"],
    ["missed test digits", `${m.missed.test.length}`, "missed-test-total"],
    [
      "missed validation digits",
      `${m.missed.validation.length}`,
      "missed-validation-total",
    ],
    ["epochs", `${m.epochs.length}`, "epochs"],
    ["training time", seconds(m.train_seconds), ""],
    ["samples per second", `${Math.round(trained / m.train_seconds)}`, ""],
    ["seed", `${m.seed}`, "seed"],
  ];
}

/** One row per epoch and a total row. */
function epochTable(m: RunMetrics): { head: string[]; rows: string[][] } {
  const trained = m.data.train * m.epochs.length;
  return {
    head: [
      "epoch",
      "seconds",
      "samples/s",
      "learning rate",
      "train loss",
      "train accuracy",
      "validation accuracy",
    ],
    rows: [
      ...m.epochs.map((e) => [
        `${e.epoch}`,
        e.seconds.toFixed(2),
        `${Math.round(e.samples_per_second)}`,
        e.lr.toPrecision(3),
        e.train_loss.toFixed(4),
        percent(e.train_accuracy),
        percent(e.val_accuracy),
      ]),
      [
        "total",
        m.train_seconds.toFixed(2),
        `${Math.round(trained / m.train_seconds)}`,
        "",
        "",
        "",
        "",
      ],
    ],
  };
}

/** The flags, and the model and data the run used. */
function facts(m: RunMetrics): { title: string; rows: [string, string][] }[] {
  return [
    {
      title: "Flags",
      rows: Object.entries(m.config).map(([k, v]) => [k, JSON.stringify(v)]),
    },
    {
      title: "Model and data",
      rows: [
        ["layers", m.model.sizes.join("-")],
        ["activation", `${m.model.activation}`],
        ["dtype", `${m.model.dtype}`],
        ["parameters", `${m.model.parameters}`],
        ["seed", `${m.seed}`],
        ["data", m.data.dir],
        [
          "train / validation / test",
          `${m.data.train} / ${m.data.validation} / ${m.data.test}`,
        ],
        ["started", `${m.started_at}`],
        ...optionalFacts(m),
        ...Object.entries(m.versions ?? {}).map((
          [k, v],
        ): [string, string] => [k, `${v}`]),
      ],
    },
  ];
}
