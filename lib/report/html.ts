/**
 * The report page: one self-contained HTML file (styles inline, every
 * figure a `data:` URL), so it opens with no network and can be mailed.
 *
 * Elements a test can find: each figure is a `<figure data-figure="NAME">`;
 * counts are `<span data-count="NAME">`; each missed digit is a
 * `<figure class="digit">`.
 *
 * @module
 */

/** A missed digit as the page shows it. */
export interface DigitCell {
  /** `data:` URL of its PNG. */
  src: string;
  /** The short label, e.g. `7 → 2`. */
  caption: string;
  /** The confidence, e.g. `98.4%`. */
  confidence: string;
  /** Alt text and tooltip. */
  title: string;
}

/** A grid of missed digits for one set. */
export interface MissedSection {
  /** `"test"` or `"validation"`. */
  set: string;
  /** How many images of the set were missed. */
  missed: number;
  /** How many images the set holds. */
  total: number;
  /** The most confident mistakes, in order. */
  cells: DigitCell[];
  /** The grid PNG's path inside the run folder, when one was written. */
  file?: string;
}

/** Everything the page shows, already formatted. */
export interface ReportPage {
  /** The page title. */
  title: string;
  /** Headline numbers: `[label, value, data-count name or ""]`. */
  headline: [string, string, string][];
  /** `data:` URLs of the SVG curves, by figure name, with captions. */
  curves: { name: string; src: string; caption: string; file: string }[];
  /** Per-epoch table: header and rows. */
  epochTable: { head: string[]; rows: string[][] };
  /** Key/value tables: configuration, model, data, versions. */
  facts: { title: string; rows: [string, string][] }[];
  /** The confusion matrix figure. */
  confusion: { src: string; caption: string; file: string };
  /** Missed test digits, then missed validation digits. */
  missed: MissedSection[];
  /** The first layer's weights. */
  weights: { src: string; caption: string; file: string };
}

/**
 * Escapes text for HTML.
 *
 * @param text Any text.
 * @returns It, safe inside HTML text and double-quoted attributes.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; color: #222; margin: 0 auto;
  max-width: 1040px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .4rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #ddd; }
.headline { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; }
.headline div { background: #f4f6f8; border-radius: 6px; padding: .5rem .8rem; }
.headline b { display: block; font-size: 1.25rem; }
figure { margin: 1rem 0; }
figcaption { color: #555; font-size: .9rem; }
img.chart { max-width: 100%; height: auto; display: block; }
img.pixels { image-rendering: pixelated; }
table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }
th, td { border: 1px solid #ddd; padding: .2rem .5rem; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.facts { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, 76px); gap: 6px; }
.digit { margin: 0; text-align: center; }
.digit img { width: 56px; height: 56px; border: 1px solid #ccc; }
.digit figcaption { font: 12px/1.2 ui-monospace, monospace; color: #222; }
.digit small { color: #777; }
a { color: #1a5fb4; }
`;

function figure(
  name: string,
  src: string,
  caption: string,
  file: string,
  pixels = false,
): string {
  return `<figure data-figure="${escapeHtml(name)}">
<img class="chart${pixels ? " pixels" : ""}" src="${src}" alt="${
    escapeHtml(caption)
  }">
<figcaption>${escapeHtml(caption)} <a href="${escapeHtml(file)}">${
    escapeHtml(file)
  }</a></figcaption>
</figure>`;
}

function table(head: string[] | null, rows: string[][]): string {
  const cells = (tag: string, row: string[]) =>
    `<tr>${row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join("")}</tr>`;
  return `<table>${head ? cells("th", head) : ""}${
    rows.map((r) => cells("td", r)).join("")
  }</table>`;
}

function missedSection(section: MissedSection): string {
  const count = `<span data-count="missed-${
    escapeHtml(section.set)
  }">${section.missed}</span>`;
  const intro = section.missed === 0
    ? `The network missed none (${count}) of the ${section.total} ${section.set} images.`
    : `The network missed ${count} of ${section.total} ${section.set} images; ` +
      `the ${section.cells.length} it was most sure of are shown, most confident first, ` +
      `each labelled true → predicted with the confidence.`;
  const cells = section.cells.map((cell) =>
    `<figure class="digit"><img class="pixels" src="${cell.src}" alt="${
      escapeHtml(cell.title)
    }" title="${escapeHtml(cell.title)}"><figcaption>${
      escapeHtml(cell.caption)
    }<br><small>${escapeHtml(cell.confidence)}</small></figcaption></figure>`
  ).join("\n");
  const file = section.file
    ? ` <a href="${escapeHtml(section.file)}">${escapeHtml(section.file)}</a>`
    : "";
  return `<h2>Missed ${escapeHtml(section.set)} digits</h2>
<p>${intro}${file}</p>
${
    section.missed === 0
      ? ""
      : `<figure data-figure="missed-${
        escapeHtml(section.set)
      }"><div class="grid">
${cells}
</div></figure>`
  }`;
}

/**
 * Writes the report page.
 *
 * @param page What to show.
 * @returns The whole HTML document.
 */
export function reportHtml(page: ReportPage): string {
  const headline = page.headline.map(([label, value, count]) =>
    `<div>${escapeHtml(label)}<b${
      count ? ` data-count="${escapeHtml(count)}"` : ""
    }>${escapeHtml(value)}</b></div>`
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<div class="headline">
${headline}
</div>
<h2>Training curves</h2>
${page.curves.map((c) => figure(c.name, c.src, c.caption, c.file)).join("\n")}
<h2>Time per epoch</h2>
${table(page.epochTable.head, page.epochTable.rows)}
<h2>Configuration</h2>
<div class="facts">
${
    page.facts.map((f) =>
      `<div><h3>${escapeHtml(f.title)}</h3>${table(null, f.rows)}</div>`
    ).join("\n")
  }
</div>
<h2>Confusion matrix (test set)</h2>
${
    figure(
      "confusion",
      page.confusion.src,
      page.confusion.caption,
      page.confusion.file,
    )
  }
${page.missed.map(missedSection).join("\n")}
<h2>First layer's weights</h2>
${
    figure(
      "weights",
      page.weights.src,
      page.weights.caption,
      page.weights.file,
      true,
    )
  }
</body>
</html>
`;
}
