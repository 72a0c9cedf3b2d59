/**
 * `deno task bench:lab`: the lab's speed figures, printed (never asserted):
 *
 * 1. the page ready (every script run, the run list loaded) after
 *    navigation, in Chromium on localhost, median of 7 loads;
 * 2. one prediction of a 280x280 drawing, preprocessing included: in
 *    process, and through the server's POST as the page sends it;
 * 3. `train --lab` against `train`, same run (3 epochs of the default
 *    network, twice each, alternating): live messages per second seen by a
 *    connected page, and the fastest epoch of each (the machine is shared,
 *    so the least disturbed epoch is the fairest comparison).
 */

import { join } from "node:path";
import { chromium } from "playwright-core";
import { trainSmallMnistRun } from "../tests/helpers/mnist_run.ts";
import { inspectPicture } from "../lib/lab/inspect.ts";
import { RunRegistry } from "../lib/lab/runs.ts";
import { startLabServer } from "../lib/lab/server.ts";
import { loadModel } from "../lib/train/model_file.ts";
import { startLabThread } from "../lib/lab/lab_thread.ts";
import { FLUSH_MS } from "../lib/lab/live.ts";
import type { Picture } from "../lib/data/preprocess.ts";

const CHROMIUM = "/usr/bin/chromium";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A "7" drawn as thick strokes on a white 280x280 canvas, grey. */
function drawnSeven(side: number): Picture {
  const pixels = new Uint8Array(side * side).fill(255);
  const ink = (x: number, y: number) => {
    for (let dy = -8; dy <= 8; dy++) {
      for (let dx = -8; dx <= 8; dx++) {
        const px = Math.round(x + dx), py = Math.round(y + dy);
        if (px >= 0 && py >= 0 && px < side && py < side) {
          pixels[py * side + px] = 0;
        }
      }
    }
  };
  for (let t = 0; t <= 1; t += 0.01) {
    ink(side * (0.25 + 0.5 * t), side * 0.2);
    ink(side * (0.75 - 0.3 * t), side * (0.2 + 0.6 * t));
  }
  return { width: side, height: side, channels: 1, pixels };
}

async function predictionFigures(runDir: string, url: string) {
  const loaded = await loadModel(join(runDir, "model.bin"));
  const picture = drawnSeven(280);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    inspectPicture(loaded, picture, "bench");
    times.push(performance.now() - started);
  }
  console.log(
    `prediction in process (280x280 drawing, preprocessing included): ${
      median(times.slice(20)).toFixed(2)
    } ms median`,
  );
  const small = drawnSeven(84);
  const body = JSON.stringify({
    width: 84,
    height: 84,
    pixels: [...small.pixels],
  });
  const posts: number[] = [];
  for (let i = 0; i < 100; i++) {
    const started = performance.now();
    const response = await fetch(`${url}api/runs/run/predict`, {
      method: "POST",
      body,
    });
    await response.json();
    posts.push(performance.now() - started);
  }
  console.log(
    `prediction through the server (84x84 JSON POST, as the page sends it): ${
      median(posts.slice(10)).toFixed(2)
    } ms median`,
  );
}

async function pageReadyFigure(url: string) {
  if (!(await Deno.stat(CHROMIUM).then(() => true, () => false))) {
    console.log(`page ready: skipped (${CHROMIUM} is missing)`);
    return;
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  const times: number[] = [];
  try {
    const page = await browser.newPage();
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      times.push(performance.now() - started);
    }
  } finally {
    await browser.close();
  }
  console.log(
    `page ready on localhost: ${median(times).toFixed(0)} ms median of 7 loads`,
  );
}

/** Runs `deno task train` with `extra` flags; with --lab, listens to the stream. */
async function timedRun(out: string, extra: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "bin/train.ts",
      "--epochs",
      "3",
      "--out",
      out,
      "--quiet",
      ...extra,
    ],
    cwd: new URL("../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let messages = 0;
  let firstAt = 0, lastAt = 0;
  if (extra.includes("--lab")) {
    while (!/lab: (http\S+)/.test(text)) text += (await reader.read()).value;
    const url = /lab: (http\S+)/.exec(text)![1];
    const events = (await fetch(`${url}api/live`)).body!.pipeThrough(
      new TextDecoderStream(),
    ).getReader();
    let buffer = "";
    while (!buffer.includes('"type":"done"')) {
      const { value, done } = await events.read();
      if (done) break;
      buffer += value;
      const now = performance.now();
      const count = (value.match(/\n\n/g) ?? []).length;
      if (count > 0 && firstAt === 0) firstAt = now;
      lastAt = now;
      messages += count;
    }
    await events.cancel();
    child.kill("SIGTERM");
  }
  await child.status;
  await reader.cancel().catch(() => {});
  const metrics = JSON.parse(
    await Deno.readTextFile(join(out, "metrics.json")),
  );
  const seconds = metrics.epochs.map((e: { seconds: number }) => e.seconds);
  return { seconds, messages, span: (lastAt - firstAt) / 1000 };
}

/**
 * The stream's own cost, robust to a loaded machine: the time of a step's
 * push and of a flush posted to the lab's worker, and what they add to a
 * default epoch (782 steps, a flush every FLUSH_MS ms).
 */
async function hookCostFigure(runDir: string, epochSeconds: number) {
  const lab = await startLabThread([runDir], 0);
  const { publisher } = lab;
  const steps = 782 * 20;
  let started = performance.now();
  for (let i = 1; i <= steps; i++) publisher.step(i, 0.1, 0.9);
  const stepMs = (performance.now() - started) / steps;
  const flushes = 2000;
  started = performance.now();
  for (let f = 0; f < flushes; f++) {
    for (let i = 0; i < 40; i++) publisher.step(i, 0.1, 0.9);
    publisher.flush();
  }
  const flushMs = (performance.now() - started) / flushes - 40 * stepMs;
  await lab.stop();
  const perEpoch = 782 * stepMs + (epochSeconds * 1000 / FLUSH_MS) * flushMs;
  console.log(
    `stream cost: ${(stepMs * 1000).toFixed(2)} us per step, ${
      (flushMs * 1000).toFixed(1)
    } us per flush (40 steps to the worker); ` +
      `${perEpoch.toFixed(2)} ms per ${epochSeconds} s default epoch = ${
        (perEpoch / (epochSeconds * 10)).toFixed(2)
      }%`,
  );
}

if (import.meta.main) {
  const { runDir } = await trainSmallMnistRun();
  const runs = new RunRegistry();
  await runs.add(runDir);
  const lab = await startLabServer({ runs, port: 0 });
  await pageReadyFigure(lab.url);
  await predictionFigures(runDir, lab.url);
  await lab.shutdown();
  await hookCostFigure(runDir, 0.25);
  const work = await Deno.makeTempDir({ prefix: "lab_bench_" });
  // Alternate the two so that load from other jobs hits both alike; compare
  // the fastest epoch of each (the least disturbed).
  const plain: number[] = [], live: number[] = [];
  let messages = 0, span = 0;
  for (let round = 0; round < 2; round++) {
    plain.push(...(await timedRun(join(work, `plain${round}`), [])).seconds);
    const run = await timedRun(join(work, `live${round}`), [
      "--lab",
      "--lab-port",
      "0",
    ]);
    live.push(...run.seconds);
    messages += run.messages;
    span += run.span;
  }
  const show = (s: number[]) => s.map((x) => x.toFixed(3)).join(", ");
  console.log(
    `train (2 runs of 3 epochs, default network): ${show(plain)} s per epoch`,
  );
  console.log(
    `train --lab, the same runs:                  ${show(live)} s per epoch`,
  );
  console.log(
    `live stream: ${messages} messages in ${span.toFixed(2)} s = ${
      (messages / span).toFixed(1)
    } updates per second`,
  );
  const cost = Math.min(...live) / Math.min(...plain) - 1;
  console.log(
    `cost of --lab on the fastest epoch: ${(cost * 100).toFixed(1)}% (${
      Math.min(...live).toFixed(3)
    } s against ${Math.min(...plain).toFixed(3)} s)`,
  );
}
