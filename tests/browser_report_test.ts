/**
 * End to end in a real browser: a 1-epoch training run on the real MNIST
 * cache, its report opened from disk in Debian's Chromium (driven by
 * playwright-core) with every network request refused.
 *
 * Skipped, with a message, when /usr/bin/chromium is missing, except under
 * `CI=true`, where it must run.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { confidenceText } from "../lib/report/digit_grid.ts";
import { runTraining } from "../lib/cli/train_command.ts";
import { DEFAULT_CONFIG, defaultsOf } from "../lib/train/settings.ts";
import { RUN_SETTINGS } from "../lib/cli/train_args.ts";

/** The parts of an `HTMLImageElement` the test reads (no DOM types in Deno). */
interface ImageLike {
  alt: string;
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
  getBoundingClientRect(): { width: number };
}

const CHROMIUM = "/usr/bin/chromium";
const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** The figures every report has when the run missed digits in both sets. */
const FIGURES = [
  "accuracy",
  "loss",
  "learning-rate",
  "confusion",
  "missed-test",
  "missed-validation",
  "weights",
];

const haveChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);
const inCi = Deno.env.get("CI") === "true";
if (!haveChromium && !inCi) {
  console.warn(
    `browser_report_test: skipped: ${CHROMIUM} is missing (apt-get install -y chromium); under CI=true it must run`,
  );
}

Deno.test({
  name:
    "report.html from a 1-epoch run opens offline in Chromium with every figure, no console error and counts that match metrics.json",
  ignore: !haveChromium && !inCi,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    assert.ok(haveChromium, `${CHROMIUM} is missing, and CI=true needs it`);
    const out = join(await Deno.makeTempDir({ prefix: "browser_run_" }), "run");
    await runTraining({
      ...defaultsOf(RUN_SETTINGS),
      config: { ...DEFAULT_CONFIG, epochs: 1 },
      out,
      targetPercent: 0,
      quiet: true,
      kernels: "fast",
    });
    const metrics = JSON.parse(
      await Deno.readTextFile(join(out, "metrics.json")),
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: LAUNCH_ARGS,
    });
    try {
      const page = await browser.newPage({
        viewport: { width: 1100, height: 900 },
      });
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") {
          problems.push(`console ${message.type()}: ${message.text()}`);
        }
      });
      page.on(
        "pageerror",
        (error) => problems.push(`page error: ${error.message}`),
      );
      const requested: string[] = [];
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:") || url.startsWith("data:")) {
          return route.continue();
        }
        requested.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(join(out, "report.html")).href, {
        waitUntil: "load",
      });

      for (const name of FIGURES) {
        const figure = page.locator(`[data-figure="${name}"]`);
        assert.equal(await figure.count(), 1, `figure ${name} is present once`);
        const box = await figure.boundingBox();
        assert.ok(
          box && box.width > 0 && box.height > 0,
          `figure ${name} has size ${JSON.stringify(box)}`,
        );
      }
      const images = await page.locator("img").evaluateAll((imgs) =>
        (imgs as unknown as ImageLike[]).map((img) => ({
          alt: img.alt,
          complete: img.complete,
          width: img.naturalWidth,
          height: img.naturalHeight,
          shown: img.getBoundingClientRect().width,
        }))
      );
      const broken = images.filter((i) =>
        !i.complete || i.width === 0 || i.height === 0 || i.shown === 0
      );
      assert.deepEqual(broken, [], "every image decodes and is shown");

      const count = async (name: string) =>
        Number(
          await page.locator(`[data-count="${name}"]`).first().textContent(),
        );
      assert.equal(await count("missed-test"), metrics.missed.test.length);
      assert.equal(
        await count("missed-validation"),
        metrics.missed.validation.length,
      );
      assert.equal(
        await count("missed-test-total"),
        metrics.missed.test.length,
      );
      assert.equal(await count("epochs"), metrics.epochs.length);
      assert.equal(
        await page.locator('[data-count="test-accuracy"]').textContent(),
        `${(metrics.test_accuracy * 100).toFixed(2)}%`,
      );
      for (const set of ["test", "validation"]) {
        assert.equal(
          await page.locator(`[data-figure="missed-${set}"] figure.digit`)
            .count(),
          Math.min(100, metrics.missed[set].length),
          `${set} digit cells`,
        );
      }
      const first = metrics.missed.test.reduce((
        a: { confidence: number },
        b: { confidence: number },
      ) => b.confidence > a.confidence ? b : a);
      assert.equal(
        await page.locator(
          '[data-figure="missed-test"] figure.digit figcaption',
        ).first().textContent(),
        `${first.label} → ${first.predicted}${
          confidenceText(first.confidence)
        }`,
        "the most confident mistake comes first",
      );

      await page.screenshot({
        path: join(out, "report_screenshot.png"),
        fullPage: true,
      });
      const shot = await Deno.stat(join(out, "report_screenshot.png"));
      assert.ok(shot.size > 10000, `screenshot is ${shot.size} bytes`);
      assert.deepEqual(problems, [], "no console errors");
      assert.deepEqual(requested, [], "no network requests");
      console.log(`screenshot: ${join(out, "report_screenshot.png")}`);
    } finally {
      await browser.close();
    }
  },
});
