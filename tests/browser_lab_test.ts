/**
 * The lab in a real browser (Debian's Chromium through playwright-core):
 * real MNIST test digits replayed as mouse strokes on the pad are read as
 * `deno task predict` reads the same images; a confusion-matrix cell shows
 * exactly its count of digits; the page talks only to the kit's server and
 * logs no error. Saves a screenshot (`LAB_SCREENSHOT=path` copies it there,
 * which is how the README's picture was made).
 *
 * Skipped, with a message, when /usr/bin/chromium is missing, except under
 * `CI=true`, where it must run.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { RunRegistry } from "../lib/lab/runs.ts";
import { startLabServer } from "../lib/lab/server.ts";
import { encodePng } from "../lib/report/png.ts";
import {
  BROWSER_TESTS_RUN,
  launchChromium,
  watchedPage,
} from "./helpers/browser.ts";
import { runScript } from "./helpers/cli.ts";
import { writeSyntheticMnist } from "./helpers/synthetic.ts";
import { testDigit, trainSmallMnistRun } from "./helpers/mnist_run.ts";

if (!BROWSER_TESTS_RUN) {
  console.warn(
    "browser_lab_test: skipped: /usr/bin/chromium is missing (apt-get install -y chromium)",
  );
}

/** Test images replayed on the pad. */
const DIGITS = [0, 1, 2, 3, 4, 7];

/**
 * Draws a 28x28 digit on the 280x280 pad: one mouse stroke along each run
 * of dark pixels in every row, scaled 10x.
 */
async function replay(page: Page, digit: Uint8Array): Promise<void> {
  const box = (await page.getByTestId("pad").boundingBox())!;
  const scale = box.width / 28;
  for (let row = 0; row < 28; row++) {
    for (let col = 0; col < 28; col++) {
      if (digit[row * 28 + col] < 128) continue;
      const start = col;
      while (col + 1 < 28 && digit[row * 28 + col + 1] >= 128) col++;
      const y = box.y + (row + 0.5) * scale;
      await page.mouse.move(box.x + (start + 0.5) * scale, y);
      await page.mouse.down();
      await page.mouse.move(box.x + (col + 0.5) * scale, y);
      await page.mouse.up();
    }
  }
}

async function settledPrediction(page: Page): Promise<string> {
  await page.waitForSelector('[data-testid="prediction"][data-settled="true"]');
  return (await page.getByTestId("prediction").textContent())!;
}

Deno.test({
  name:
    "the lab reads real test digits drawn on its pad as `deno task predict` reads the images, and a confusion cell shows exactly its count, offline and without console errors",
  ignore: !BROWSER_TESTS_RUN,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { runDir, mnist } = await trainSmallMnistRun();
    const files = [];
    for (const index of DIGITS) {
      const file = join(runDir, `test${index}.png`);
      await Deno.writeFile(
        file,
        encodePng({
          width: 28,
          height: 28,
          channels: 1,
          data: testDigit(mnist, index),
        }),
      );
      files.push(file);
    }
    const predicted = await runScript("bin/predict.ts", [
      "--json",
      runDir,
      ...files,
    ]);
    assert.equal(predicted.code, 0, predicted.stderr);
    const expected = predicted.stdout.trim().split("\n").map((l) =>
      `${JSON.parse(l).digit}`
    );

    const runs = new RunRegistry();
    await runs.add(runDir);
    const lab = await startLabServer({ runs, port: 0 });
    const browser = await launchChromium();
    try {
      const { page, problems, outside } = await watchedPage(
        browser,
        lab.url.slice(0, -1),
      );
      await page.goto(lab.url);
      await page.waitForSelector('body[data-ready="true"]');
      const read: string[] = [];
      for (const index of DIGITS) {
        await page.getByTestId("clear").click();
        await replay(page, testDigit(mnist, index));
        read.push(await settledPrediction(page));
        const bars = await page.getByTestId("probabilities").locator(".bar")
          .count();
        assert.equal(bars, 10, "ten probability bars");
      }
      assert.deepEqual(
        read,
        expected,
        "the page agrees with deno task predict",
      );

      await page.getByRole("button", { name: "Inside" }).click();
      await page.waitForSelector("#weights canvas");
      assert.equal(
        await page.locator("#weights canvas").count(),
        64,
        "one weight image per hidden unit",
      );
      assert.ok(
        await page.locator("#pushes div").count() > 0,
        "the units that pushed the winner",
      );
      if (Deno.env.get("LAB_SCREENSHOT")) {
        await page.getByRole("button", { name: "Draw" }).click();
        await page.screenshot({
          path: Deno.env.get("LAB_SCREENSHOT")!,
          fullPage: true,
        });
      }

      await page.getByRole("button", { name: "Mistakes" }).click();
      await page.waitForSelector('#confusion td[data-true="0"]');
      const cells = await page.locator("#confusion td").evaluateAll((tds) =>
        tds.map((td) => ({
          label:
            (td as unknown as { dataset: Record<string, string> }).dataset.true,
          predicted:
            (td as unknown as { dataset: Record<string, string> }).dataset
              .predicted,
          count: Number((td as unknown as { textContent: string }).textContent),
        }))
      );
      const mistakes = cells.filter((c) =>
        c.label !== c.predicted && c.count > 0
      );
      const biggest = mistakes.reduce((a, b) => (b.count > a.count ? b : a));
      const smallest = mistakes.reduce((a, b) => (b.count < a.count ? b : a));
      for (const cell of [biggest, smallest]) {
        await page.click(
          `#confusion td[data-true="${cell.label}"][data-predicted="${cell.predicted}"]`,
        );
        await page.waitForSelector("#confusion td.selected");
        assert.equal(
          await page.locator("#missed .digit").count(),
          cell.count,
          `cell ${cell.label}→${cell.predicted}`,
        );
        await page.click(
          `#confusion td[data-true="${cell.label}"][data-predicted="${cell.predicted}"]`,
        );
      }
      const total = mistakes.reduce((n, c) => n + c.count, 0);
      assert.equal(
        await page.locator("#missed .digit").count(),
        total,
        "no cell selected: every mistake",
      );
      assert.deepEqual(problems, [], "no console errors");
      assert.deepEqual(outside, [], "no request outside the lab's server");
    } finally {
      await browser.close();
      await lab.shutdown();
    }
  },
});

Deno.test({
  name:
    "train --lab streams a run to the Live view: the chart gains points while it trains and the page shows the final accuracy",
  ignore: !BROWSER_TESTS_RUN,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "lab_live_" });
    await Deno.mkdir(join(work, "data"));
    const data = await writeSyntheticMnist(join(work, "data"), {
      train: 20000,
      test: 500,
    });
    const out = join(work, "run");
    const browser = await launchChromium();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "bin/train.ts",
        "--lab",
        "--lab-port",
        "0",
        "--data",
        data,
        "--out",
        out,
        "--epochs",
        "3",
        "--batch-size",
        "16",
        "--hidden",
        "128",
        "--kernels",
        "fast",
      ],
      cwd: new URL("../", import.meta.url).pathname,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const lines = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      let text = "";
      while (!/lab: (http\S+)/.test(text)) {
        const { value, done } = await lines.read();
        assert.ok(!done, `train --lab ended before serving: ${text}`);
        text += value;
      }
      const url = /lab: (http\S+)/.exec(text)![1];
      const { page, problems, outside } = await watchedPage(
        browser,
        url.slice(0, -1),
      );
      await page.goto(url);
      const counts: number[] = [];
      const final = page.getByTestId("live-final");
      while (!(await final.textContent())) {
        counts.push(
          Number(
            await page.getByTestId("live-chart").getAttribute("data-points"),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const growing = new Set(counts.filter((n) => n > 0));
      assert.ok(
        growing.size >= 3,
        `the chart grew during training: ${counts.join(" ")}`,
      );
      assert.deepEqual(
        counts,
        [...counts].sort((a, b) => a - b),
        "points only get added",
      );
      const metrics = JSON.parse(
        await Deno.readTextFile(join(out, "metrics.json")),
      );
      assert.match(
        (await final.textContent())!,
        new RegExp(
          `test accuracy ${(metrics.test_accuracy * 100).toFixed(2)}%`,
        ),
      );
      await page.waitForFunction(() =>
        (globalThis as unknown as {
          document: {
            querySelector(s: string): { dataset: { points: string } };
          };
        })
          .document.querySelector('[data-testid="live-chart"]').dataset
          .points === "1875"
      );
      assert.deepEqual(problems, [], "no console errors");
      assert.deepEqual(outside, [], "no request outside the lab's server");
      lines.releaseLock();
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await browser.close();
    }
  },
});
