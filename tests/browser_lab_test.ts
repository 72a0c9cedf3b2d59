/**
 * The lab in a real browser (Debian's Chromium through playwright-core):
 * real MNIST test digits replayed as mouse strokes on the pad are read as
 * `deno task predict` reads the same images; a confusion-matrix cell shows
 * exactly its count of digits; a `train --lab` run streams to the Live
 * view; the Runs view overlays a lib run and an `--impl solutions` run, and
 * touch and pen strokes draw; the page talks only to the kit's server and
 * logs no error. With `LAB_SCREENSHOT=path` it saves a screenshot of the
 * Draw view there (which is how the README's picture was made).
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
  type WatchedPage,
  watchedPage,
} from "./helpers/browser.ts";
import { runScript } from "./helpers/cli.ts";
import { writeSyntheticMnist } from "./helpers/synthetic.ts";
import { testDigit, trainSmallMnistRun } from "./helpers/mnist_run.ts";
import {
  shortRunOptions,
  writeMnistWithMistakes,
} from "./helpers/report_run.ts";
import { runTraining } from "../lib/cli/train_command.ts";
import { readRunMetrics } from "../lib/report/run_metrics.ts";

/**
 * Serves `runDirs` in the lab, opens its page in Chromium (watching console
 * errors and requests outside the server) once it is ready, runs `use`, and
 * closes both whatever happens.
 */
async function withLabPage(
  runDirs: string[],
  use: (page: WatchedPage) => Promise<void>,
): Promise<void> {
  const runs = new RunRegistry();
  for (const dir of runDirs) await runs.add(dir);
  const lab = await startLabServer({ runs, port: 0 });
  const browser = await launchChromium();
  try {
    const watched = await watchedPage(browser, lab.url.slice(0, -1));
    await watched.page.goto(lab.url);
    await watched.page.waitForSelector('body[data-ready="true"]');
    await use(watched);
  } finally {
    await browser.close();
    await lab.shutdown();
  }
}

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

    await withLabPage([runDir], async ({ page, problems, outside }) => {
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
      assert.equal(
        await page.locator("#hidden .layer .unit").count(),
        64,
        "one activation per hidden unit",
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
    });
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

/** The values a Runs chart draws for one run, from the path's data-values. */
async function drawnValues(
  page: Page,
  chart: string,
  run: string,
): Promise<number[]> {
  const values = await page.locator(`#${chart} path[data-series="${run}"]`)
    .getAttribute("data-values");
  return values!.split(",").map(Number);
}

/** The pad's red channel at (x, y) in its own 280x280 pixels: 255 is paper. */
function padPixel(page: Page, x: number, y: number): Promise<number> {
  return page.evaluate(([x, y]) => {
    const pad = (globalThis as unknown as {
      document: {
        getElementById(id: string): {
          getContext(kind: "2d"): {
            getImageData(x: number, y: number, w: number, h: number): {
              data: Uint8ClampedArray;
            };
          };
        };
      };
    }).document.getElementById("pad");
    return pad.getContext("2d").getImageData(x, y, 1, 1).data[0];
  }, [x, y]);
}

/**
 * Draws on the pad as a finger and as a pen do (real input events through
 * the DevTools protocol, so the page sees pointer events of those types):
 * a finger's stroke inks the pad and gets a prediction; a second finger
 * put down meanwhile draws nothing; a pen's stroke inks too.
 */
async function touchAndPen(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const box = (await page.getByTestId("pad").boundingBox())!;
  const at = (x: number, y: number, id = 0) => ({
    x: box.x + x * box.width / 280,
    y: box.y + y * box.height / 280,
    id,
  });
  const touch = (
    type: "touchStart" | "touchMove" | "touchEnd",
    touchPoints: ReturnType<typeof at>[],
  ) => cdp.send("Input.dispatchTouchEvent", { type, touchPoints });
  await page.getByTestId("clear").click();
  await touch("touchStart", [at(140, 40)]);
  await touch("touchMove", [at(140, 140)]);
  await touch("touchStart", [at(140, 140), at(40, 200, 1)]);
  await touch("touchMove", [at(140, 240), at(240, 200, 1)]);
  await touch("touchEnd", []);
  await settledPrediction(page);
  assert.equal(await padPixel(page, 140, 190), 0, "the finger's stroke inks");
  assert.equal(
    await padPixel(page, 140, 200 - 40),
    0,
    "still the first finger's line",
  );
  assert.equal(
    await padPixel(page, 200, 200),
    255,
    "a second finger does not draw",
  );
  assert.match(
    (await page.getByTestId("prediction").textContent())!,
    /^\d$/,
    "a touch stroke gets a prediction",
  );
  await page.getByTestId("clear").click();
  const pen = (
    type: "mousePressed" | "mouseMoved" | "mouseReleased",
    x: number,
    y: number,
  ) =>
    cdp.send("Input.dispatchMouseEvent", {
      type,
      ...at(x, y),
      button: "left",
      buttons: type === "mouseReleased" ? 0 : 1,
      clickCount: 1,
      pointerType: "pen",
    });
  await pen("mousePressed", 60, 60);
  await pen("mouseMoved", 220, 60);
  await pen("mouseReleased", 220, 60);
  await settledPrediction(page);
  assert.equal(await padPixel(page, 140, 60), 0, "the pen's stroke inks");
  await cdp.detach();
}

Deno.test({
  name:
    "the Runs view overlays a lib run's and an --impl solutions run's validation accuracy and loss per epoch; the impl run's model reads touch and pen strokes and its mistakes",
  ignore: !BROWSER_TESTS_RUN,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "lab_runs_" });
    const data = await writeMnistWithMistakes(work);
    const dirs = { lib: join(work, "lib-run"), impl: join(work, "impl-run") };
    await runTraining(shortRunOptions(data, dirs.lib));
    const impl = await runScript("bin/train.ts", [
      ...["--impl", "solutions", "--data", data, "--out", dirs.impl],
      ...["--epochs", "3", "--hidden", "16", "--batch-size", "50"],
      ...["--target", "1", "--quiet"],
    ]);
    assert.equal(impl.code, 0, impl.stderr);
    const metrics = {
      lib: await readRunMetrics(dirs.lib),
      impl: await readRunMetrics(dirs.impl),
    };
    await withLabPage(
      [dirs.lib, dirs.impl],
      async ({ page, problems, outside }) => {
        await page.getByRole("button", { name: "Runs" }).click();
        await page.locator("#run-a").selectOption("impl-run");
        await page.locator("#run-b").selectOption("lib-run");
        await page.waitForSelector('#runs-loss path[data-series="lib-run"]');
        for (const [id, run] of [["lib-run", "lib"], ["impl-run", "impl"]]) {
          const epochs = metrics[run as "lib" | "impl"].epochs;
          assert.deepEqual(
            await drawnValues(page, "runs-accuracy", id),
            epochs.map((e) => e.val_accuracy),
            `${id}: validation accuracy per epoch`,
          );
          assert.deepEqual(
            await drawnValues(page, "runs-loss", id),
            epochs.map((e) => e.train_loss),
            `${id}: training loss per epoch`,
          );
        }

        await page.locator("#run").selectOption("impl-run");
        await page.getByRole("button", { name: "Draw" }).click();
        await touchAndPen(page);
        await page.getByRole("button", { name: "Mistakes" }).click();
        await page.waitForSelector("#confusion td");
        assert.equal(
          await page.getByTestId("mistake-summary").textContent(),
          `${metrics.impl.missed.test.length} of 300 test digits missed`,
          "the impl run's model.bin misses what the learner's network missed",
        );
        assert.deepEqual(problems, [], "no console errors");
        assert.deepEqual(outside, [], "no request outside the lab's server");
      },
    );
  },
});
