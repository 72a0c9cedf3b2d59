/**
 * `deno task bench:lab`: the lab's speed figures, printed (never asserted):
 *
 * 1. the page ready (every script run, the run list loaded) after
 *    navigation, in Chromium on localhost, median of 7 loads;
 * 2. one prediction of a 280x280 drawing, preprocessing included: in
 *    process, and through the server's POST as the page sends it;
 * 3. the live stream's own cost per step and per flush, timed in process;
 * 4. `train --lab` against `train`, same run (3 epochs of the default
 *    network, 4 rounds, the order swapped every round): live messages per
 *    second seen by a connected client, every epoch's time, the median
 *    epoch of each mode and the median of the rounds' paired ratios, and
 *    each run's CPU seconds (all threads, from start to its verdict line),
 *    which a loaded machine disturbs less than wall time.
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
/** Rounds of `train` and `train --lab`: even, so each mode goes first as often. */
const ROUNDS = 4;
/** Epochs of the default network per timed run. */
const EPOCHS = 3;

/** The middle value; the mean of the two middle ones for an even count. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[half]
    : (sorted[half - 1] + sorted[half]) / 2;
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

/** Reads `reader` on until `text` matches `pattern`. @returns All text read. */
async function readUntil(
  reader: ReadableStreamDefaultReader<string>,
  text: string,
  pattern: RegExp,
): Promise<string> {
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return text;
}

/**
 * CPU seconds (user + system, every thread) a running process has used so
 * far, from /proc (Linux; 100 clock ticks a second).
 */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Counts the live stream's messages until its "done". */
async function listenLive(url: string) {
  const events = (await fetch(`${url}api/live`)).body!.pipeThrough(
    new TextDecoderStream(),
  ).getReader();
  let buffer = "", messages = 0, firstAt = 0, lastAt = 0;
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
  return { messages, span: (lastAt - firstAt) / 1000 };
}

/**
 * Runs `deno task train` with `extra` flags; with --lab, listens to the
 * stream as a page would. The process's CPU time is read when it prints
 * its verdict line, before a --lab run's server idles on.
 */
async function timedRun(out: string, extra: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bin/train.ts", "--epochs", `${EPOCHS}`, "--out", out]
      .concat(["--quiet", ...extra]),
    cwd: new URL("../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let live = { messages: 0, span: 0 };
  if (extra.includes("--lab")) {
    text = await readUntil(reader, text, /lab: (http\S+)/);
    live = await listenLive(/lab: (http\S+)/.exec(text)![1]);
  }
  text = await readUntil(reader, text, /^(PASS|FAIL) /m);
  const cpu = await cpuSeconds(child.pid);
  if (extra.includes("--lab")) child.kill("SIGTERM");
  await child.status;
  await reader.cancel().catch(() => {});
  const metrics = JSON.parse(
    await Deno.readTextFile(join(out, "metrics.json")),
  );
  const seconds = metrics.epochs.map((e: { seconds: number }) => e.seconds);
  return { seconds, cpu, ...live };
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
  await labCostFigures(await Deno.makeTempDir({ prefix: "lab_bench_" }));
}

/**
 * `train --lab` against `train`: ROUNDS rounds of one run each, the order
 * swapped every round (plain first, then live first, ...) so that a load
 * that rises or falls over the bench hits both alike. Prints every epoch,
 * the median epoch of each mode, and the median over rounds of each
 * round's ratio (live median epoch / plain median epoch), which pairs runs
 * that ran side by side in time.
 */
async function labCostFigures(work: string) {
  const plain: number[][] = [], live: number[][] = [];
  const plainCpu: number[] = [], liveCpu: number[] = [];
  let messages = 0, span = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const runPlain = async () => {
      const run = await timedRun(join(work, `plain${round}`), []);
      plain.push(run.seconds);
      plainCpu.push(run.cpu);
    };
    const runLive = async () => {
      const run = await timedRun(join(work, `live${round}`), [
        "--lab",
        "--lab-port",
        "0",
      ]);
      live.push(run.seconds);
      liveCpu.push(run.cpu);
      messages += run.messages;
      span += run.span;
    };
    if (round % 2 === 0) await runPlain().then(runLive);
    else await runLive().then(runPlain);
  }
  const show = (runs: number[][]) =>
    runs.map((s) => s.map((x) => x.toFixed(3)).join(" ")).join(" | ");
  console.log(
    `train (${ROUNDS} runs of ${EPOCHS} epochs, default network), s per epoch: ${
      show(plain)
    }`,
  );
  console.log(`train --lab, alternated with them, s per epoch: ${show(live)}`);
  console.log(
    `live stream: ${messages} messages in ${span.toFixed(2)} s = ${
      (messages / span).toFixed(1)
    } updates per second`,
  );
  const plainMedian = median(plain.flat()), liveMedian = median(live.flat());
  const ratios = live.map((s, i) => median(s) / median(plain[i]));
  console.log(
    `median epoch: train --lab ${liveMedian.toFixed(3)} s, train ${
      plainMedian.toFixed(3)
    } s (${((liveMedian / plainMedian - 1) * 100).toFixed(1)}%)`,
  );
  const cpuRatios = liveCpu.map((c, i) => c / plainCpu[i]);
  console.log(
    `CPU seconds per run (all threads, start to verdict): train ${
      plainCpu.map((c) => c.toFixed(1)).join(" ")
    }; train --lab ${liveCpu.map((c) => c.toFixed(1)).join(" ")}; ` +
      `median of the rounds' ratios ${
        ((median(cpuRatios) - 1) * 100).toFixed(1)
      }%`,
  );
  console.log(
    `cost of --lab, median of the ${ROUNDS} rounds' ratios: ${
      ((median(ratios) - 1) * 100).toFixed(1)
    }% (rounds: ${
      ratios.map((r) => `${((r - 1) * 100).toFixed(0)}%`).join(", ")
    })`,
  );
}
