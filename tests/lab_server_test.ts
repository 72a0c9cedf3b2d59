/**
 * The lab's server on its own: loopback only, 404 for `..`, unknown routes
 * and missing runs, 400 with a message for malformed drawings and oversized
 * bodies, and still serving after each; `deno task lab` refuses a port in
 * use and a missing run folder in one line.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { RunRegistry } from "../lib/lab/runs.ts";
import { startLabServer } from "../lib/lab/server.ts";
import { MAX_BODY_BYTES } from "../lib/lab/requests.ts";
import { Mlp } from "../lib/nn/mlp.ts";
import { saveModel } from "../lib/train/model_file.ts";
import { runScript } from "./helpers/cli.ts";

const runDir = join(await Deno.makeTempDir({ prefix: "lab_server_" }), "run1");
await Deno.mkdir(runDir);
await saveModel(
  join(runDir, "model.bin"),
  new Mlp({ sizes: [784, 16, 10], seed: 2 }),
  { scale: 0.0117 },
);
await Deno.writeTextFile(
  join(runDir, "metrics.json"),
  JSON.stringify({ impl: "solutions", test_accuracy: 0.5, epochs: [] }),
);

/** A server for one test, and its base URL without the trailing slash. */
async function withLab(test: (base: string) => Promise<void>) {
  const runs = new RunRegistry();
  await runs.add(runDir);
  const lab = await startLabServer({ runs, port: 0 });
  try {
    await test(lab.url.slice(0, -1));
  } finally {
    await lab.shutdown();
  }
}

/** Asserts a status and a JSON error message, then that the server still answers. */
async function expectError(
  base: string,
  response: Response,
  status: number,
  message: RegExp,
) {
  assert.equal(response.status, status);
  const body = await response.json();
  assert.match(body.error, message);
  const after = await fetch(`${base}/api/runs`);
  assert.equal(after.status, 200, "still serving");
  await after.body?.cancel();
}

function drawing(width: unknown, height: unknown, pixels: unknown) {
  return { method: "POST", body: JSON.stringify({ width, height, pixels }) };
}

Deno.test("the lab listens on 127.0.0.1 only", async () => {
  await withLab(async (base) => {
    const { hostname, port } = new URL(base);
    assert.equal(hostname, "127.0.0.1");
    const others = Deno.networkInterfaces().filter((i) =>
      i.family === "IPv4" && !i.address.startsWith("127.")
    );
    for (const { address } of others) {
      await assert.rejects(
        Deno.connect({ hostname: address, port: Number(port) }),
        `refused on ${address}`,
      );
    }
  });
});

Deno.test("the lab answers 404 for a path with .., an unknown route and a missing run, and keeps serving", async () => {
  await withLab(async (base) => {
    await expectError(
      base,
      await fetch(`${base}/lab.js/..%2f..%2fdeno.json`),
      404,
      /\.\./,
    );
    await expectError(base, await fetch(`${base}/%2e%2e/deno.json`), 404, /./);
    await expectError(
      base,
      await fetch(`${base}/etc/passwd`),
      404,
      /no such page/,
    );
    await expectError(
      base,
      await fetch(`${base}/api/runs/nope/weights`),
      404,
      /nope: no such run/,
    );
    await expectError(
      base,
      await fetch(`${base}/api/live`),
      404,
      /no run is training/,
    );
  });
});

Deno.test("the lab answers 400 with a message for a drawing of the wrong length", async () => {
  await withLab(async (base) => {
    const response = await fetch(
      `${base}/api/runs/run1/predict`,
      drawing(10, 10, new Array(99).fill(0)),
    );
    await expectError(
      base,
      response,
      400,
      /"pixels" must be a list of 100 grey levels \(width × height\), got 99/,
    );
  });
});

Deno.test("the lab answers 400 for pixels that are not numbers from 0 to 255, and for bad sizes", async () => {
  await withLab(async (base) => {
    const url = `${base}/api/runs/run1/predict`;
    await expectError(
      base,
      await fetch(url, drawing(2, 1, [0, "x"])),
      400,
      /"pixels"\[1\] must be a whole number from 0 to 255, got "x"/,
    );
    await expectError(
      base,
      await fetch(url, drawing(2, 1, [0, 256])),
      400,
      /"pixels"\[1\] .* got 256/,
    );
    await expectError(
      base,
      await fetch(url, drawing(2, 1, [0.5, 1])),
      400,
      /"pixels"\[0\]/,
    );
    await expectError(
      base,
      await fetch(url, drawing(-2, 1, [])),
      400,
      /"width" must be a whole number/,
    );
    await expectError(
      base,
      await fetch(url, drawing(2, "1", [])),
      400,
      /"height" must be a whole number/,
    );
    await expectError(
      base,
      await fetch(url, { method: "POST", body: "{not json" }),
      400,
      /not JSON/,
    );
  });
});

Deno.test("the lab answers 400 for a body over 64 KB, declared or streamed", async () => {
  await withLab(async (base) => {
    const url = `${base}/api/runs/run1/predict`;
    const big = JSON.stringify({
      width: 200,
      height: 200,
      pixels: new Array(40000).fill(255),
    });
    assert.ok(big.length > MAX_BODY_BYTES);
    await expectError(
      base,
      await fetch(url, { method: "POST", body: big }),
      400,
      /more than the 65536/,
    );
    const chunk = new TextEncoder().encode(" ".repeat(16384));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk);
        else controller.close();
      },
    });
    await expectError(
      base,
      await fetch(url, { method: "POST", body: stream }),
      400,
      /more than the 65536 bytes/,
    );
  });
});

Deno.test("the lab predicts a drawing with the run's model, and answers digit null for a blank one", async () => {
  await withLab(async (base) => {
    const url = `${base}/api/runs/run1/predict`;
    const pixels = new Array(40 * 40).fill(255);
    for (let y = 5; y < 35; y++) {
      for (let x = 18; x < 23; x++) pixels[y * 40 + x] = 0;
    }
    const answer = await (await fetch(url, drawing(40, 40, pixels))).json();
    assert.equal(answer.probabilities.length, 10);
    assert.ok(
      Math.abs(
        answer.probabilities.reduce((a: number, b: number) => a + b) - 1,
      ) < 1e-6,
    );
    assert.equal(
      answer.digit,
      answer.probabilities.indexOf(Math.max(...answer.probabilities)),
    );
    assert.equal(answer.input.length, 784);
    assert.deepEqual(answer.hidden.map((h: number[]) => h.length), [16]);
    const blank =
      await (await fetch(url, drawing(40, 40, new Array(1600).fill(255))))
        .json();
    assert.equal(blank.digit, null);
    assert.match(blank.message, /no ink found/);
  });
});

Deno.test("deno task lab refuses a missing run folder in one line", async () => {
  const result = await runScript("bin/lab.ts", [
    "--port",
    "0",
    "/nonexistent/run",
  ]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error: \/nonexistent\/run: no such run folder\nhelp: /,
  );
  assert.doesNotMatch(result.stderr, /Stack backtrace/);
});

Deno.test("deno task lab refuses a port in use in one line", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const result = await runScript("bin/lab.ts", ["--port", `${port}`, runDir]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`^error: --port ${port}: the port is already in use\\nhelp: `),
    );
  } finally {
    listener.close();
  }
});

Deno.test("deno task lab refuses a port that is not a number", async () => {
  const result = await runScript("bin/lab.ts", ["--port", "80x", runDir]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^error: --port 80x: expected a whole number from 0 to 65535/,
  );
});
