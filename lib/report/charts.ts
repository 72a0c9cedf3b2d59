/**
 * The report's charts as SVG, drawn by Vega-Lite (a declarative grammar of
 * graphics) and rendered headless by Vega: training curves, the learning
 * rate and the confusion matrix.
 *
 * @module
 */

import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** A named line: `[x, y]` points. */
export interface Series {
  /** The legend entry. */
  name: string;
  /** `[x, y]` pairs in x order; null y values are skipped. */
  points: [number, number | null][];
  /**
   * `"thin"`: a faint line (per-batch noise); `"line"`: a plain line;
   * `"marked"`: a line with a dot at each point.
   */
  style: "thin" | "line" | "marked";
}

/** What {@link lineChart} draws. */
export interface LineChartOptions {
  /** Above the chart. */
  title: string;
  /** The x axis's title. */
  x: string;
  /** The y axis's title. */
  y: string;
  /** The y scale: `"linear"` (default) or `"log"`. */
  yScale?: "linear" | "log";
  /** Pixels; default 640. */
  width?: number;
  /** Pixels; default 240. */
  height?: number;
}

/**
 * Renders a Vega-Lite spec to an SVG document.
 *
 * @param spec The chart.
 * @returns `<svg ...>...</svg>`.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Describes a line chart in Vega-Lite.
 *
 * @param series The lines, drawn in order.
 * @param options Titles, scale and size.
 * @returns The Vega-Lite spec of a line chart with one colour per series.
 */
export function lineChartSpec(
  series: readonly Series[],
  options: LineChartOptions,
): TopLevelSpec {
  const values = series.flatMap((s) =>
    s.points.filter(([, y]) => y !== null).map(([x, y]) => ({
      x,
      y,
      series: s.name,
    }))
  );
  const names = series.map((s) => s.name);
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    scale: { domain: names },
    legend: { orient: "bottom", labelLimit: 400, symbolOpacity: 1 },
  } as const;
  const layer = (style: Series["style"]) => ({
    transform: [{
      filter: {
        field: "series",
        oneOf: series.filter((s) => s.style === style).map((s) => s.name),
      },
    }],
    mark: style === "thin"
      ? { type: "line", strokeWidth: 0.6, opacity: 0.45, clip: true }
      : style === "line"
      ? { type: "line", strokeWidth: 2, clip: true }
      : { type: "line", strokeWidth: 2, point: { size: 30 }, clip: true },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: options.x,
        scale: { nice: false },
      },
      y: {
        field: "y",
        type: "quantitative",
        title: options.y,
        scale: options.yScale === "log"
          ? { type: "log" }
          : { type: "linear", zero: false },
      },
      color,
    },
  });
  const styles = [...new Set(series.map((s) => s.style))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title,
    width: options.width ?? 640,
    height: options.height ?? 240,
    background: "white",
    data: { values },
    layer: styles.map(layer),
  } as TopLevelSpec;
}

/**
 * Draws a line chart as SVG.
 *
 * @param series The lines.
 * @param options Titles, scale and size.
 * @returns The chart as SVG.
 */
export function lineChart(
  series: readonly Series[],
  options: LineChartOptions,
): Promise<string> {
  return renderSvg(lineChartSpec(series, options));
}

/**
 * Describes a confusion matrix heat map in Vega-Lite.
 *
 * @param counts `[10][10]`: `counts[true][predicted]`.
 * @param title Above the chart.
 * @returns The Vega-Lite spec of a heat map with each cell's count written
 * in it; the diagonal (right answers) is left uncoloured so the mistakes
 * stand out.
 */
export function confusionSpec(counts: number[][], title: string): TopLevelSpec {
  const values = counts.flatMap((row, label) =>
    row.map((count, predicted) => ({
      label,
      predicted,
      count,
      mistakes: label === predicted ? 0 : count,
    }))
  );
  const axis = (title: string) => ({
    field: "",
    type: "ordinal",
    title,
    axis: { labelAngle: 0 },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 360,
    height: 360,
    background: "white",
    data: { values },
    encoding: {
      x: { ...axis("predicted digit"), field: "predicted" },
      y: { ...axis("true digit"), field: "label" },
    },
    layer: [
      {
        mark: { type: "rect", stroke: "#ddd" },
        encoding: {
          color: {
            condition: {
              test: "datum.label === datum.predicted || datum.count === 0",
              value: "white",
            },
            field: "mistakes",
            type: "quantitative",
            title: "mistakes",
            scale: { scheme: "oranges" },
          },
        },
      },
      {
        mark: { type: "text", fontSize: 11 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: {
            condition: {
              test: "datum.label === datum.predicted",
              value: "#1a5fb4",
            },
            value: "black",
          },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Draws a confusion matrix as SVG.
 *
 * @param counts `[10][10]`: `counts[true][predicted]`.
 * @param title Above the chart.
 * @returns The confusion matrix as SVG.
 */
export function confusionChart(
  counts: number[][],
  title: string,
): Promise<string> {
  return renderSvg(confusionSpec(counts, title));
}
