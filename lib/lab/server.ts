/**
 * The lab's local server: the page and its assets (served by the kit, so
 * the page works offline), a JSON API over the known run folders, and the
 * live stream of a training run. Binds 127.0.0.1 only. Every request is
 * checked: `..` in a path, an unknown route or run → 404; a malformed body
 * → 400 with a message; the server keeps serving after each.
 *
 * @module
 */

import { join } from "node:path";
import { KitError } from "../base/errors.ts";
import { findMistakes, type SetMistakes } from "./mistakes.ts";
import { inspectPicture } from "./inspect.ts";
import type { LiveStream } from "./live.ts";
import { BadRequest, parseDrawing, readBody } from "./requests.ts";
import type { LabRun, RunRegistry } from "./runs.ts";
import type { Linear } from "../nn/layers.ts";

/** The lab's port when none is given. */
export const DEFAULT_LAB_PORT = 8080;

/**
 * Whether a number can be a port to listen on (0 picks a free one).
 *
 * @param port A number.
 * @returns True for a whole number from 0 to 65535.
 */
export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535;
}

/** The page's files, by URL path. */
const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/lab.js": { file: "lab.js", type: "text/javascript; charset=utf-8" },
  "/lab.css": { file: "lab.css", type: "text/css; charset=utf-8" },
};

/** What the server serves. */
export interface LabServerOptions {
  /** The run folders. */
  runs: RunRegistry;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The stream of a run training now, for `train --lab`. */
  live?: LiveStream;
}

/** A running lab. */
export interface LabServer {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  /** Stops serving. */
  shutdown(): Promise<void>;
}

/**
 * Starts the server.
 *
 * @param options Runs, port, live stream.
 * @returns Its URL and a way to stop it.
 * @throws {KitError} When the port is in use or not allowed.
 */
export async function startLabServer(
  options: LabServerOptions,
): Promise<LabServer> {
  const assets = new Map<string, Uint8Array>();
  for (const [path, { file }] of Object.entries(ASSETS)) {
    assets.set(
      path,
      await Deno.readFile(new URL(`./page/${file}`, import.meta.url)),
    );
  }
  const mistakes = new Map<string, Promise<SetMistakes[]>>();
  const handler = (request: Request) =>
    route(request, { ...options, assets, mistakes }).catch(errorResponse);
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: "127.0.0.1",
      port: options.port,
      onListen: () => {},
    }, handler);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new KitError(
        `--port ${options.port}: the port is already in use`,
        "pick another with --port N, or --port 0 for any free one",
      );
    }
    throw new KitError(
      `--port ${options.port}: cannot listen (${(error as Error).message})`,
    );
  }
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}/`,
    shutdown: async () => {
      options.live?.close();
      await server.shutdown();
    },
  };
}

interface Context extends LabServerOptions {
  assets: Map<string, Uint8Array>;
  mistakes: Map<string, Promise<SetMistakes[]>>;
}

/** Answers one request. */
async function route(request: Request, context: Context): Promise<Response> {
  const raw = new URL(request.url).pathname;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return notFound(`${raw}: not a valid path`);
  }
  if (path.includes("..") || /%2e%2e/i.test(request.url)) {
    return notFound(`${raw}: paths with ".." are not served`);
  }
  const asset = ASSETS[path];
  if (asset && request.method === "GET") {
    return new Response(context.assets.get(path)! as BodyInit, {
      headers: { "content-type": asset.type, "cache-control": "no-store" },
    });
  }
  if (path === "/api/runs" && request.method === "GET") {
    return json({
      live: !!context.live,
      runs: context.runs.list().map(summary),
    });
  }
  if (path === "/api/live" && request.method === "GET") {
    return context.live
      ? context.live.response()
      : notFound("no run is training live");
  }
  const match = /^\/(api\/runs|runs)\/([^/]+)(?:\/([a-z.]+))?$/.exec(path);
  if (!match) return notFound(`${path}: no such page`);
  const run = context.runs.get(match[2]);
  if (!run) return notFound(`${match[2]}: no such run`);
  return await runRoute(request, run, `${match[1]}/${match[3] ?? ""}`, context);
}

/** The routes under one run. */
async function runRoute(
  request: Request,
  run: LabRun,
  what: string,
  context: Context,
): Promise<Response> {
  const method = request.method;
  if (what === "api/runs/" && method === "GET") {
    return run.metrics
      ? json(run.metrics)
      : notFound(`${run.id}: no metrics.json yet`);
  }
  if (what === "runs/report.html" && method === "GET") {
    const page = await Deno.readFile(join(run.dir, "report.html")).catch(() =>
      null
    );
    return page
      ? new Response(page as BodyInit, {
        headers: { "content-type": "text/html; charset=utf-8" },
      })
      : notFound(`${run.id}: no report.html yet`);
  }
  if (what === "api/runs/weights" && method === "GET") {
    const { model } = await context.runs.model(run);
    const first = model.layers[0] as Linear;
    return json({
      units: first.weights.cols,
      inputs: first.weights.rows,
      weights: Array.from(first.weights.data, (w) => Number(w.toPrecision(4))),
    });
  }
  if (what === "api/runs/mistakes" && method === "GET") {
    if (!context.mistakes.has(run.id)) {
      const found = Promise.all([
        context.runs.model(run),
        context.runs.data(run),
      ])
        .then(([loaded, mnist]) => findMistakes(loaded, mnist));
      found.catch(() => context.mistakes.delete(run.id));
      context.mistakes.set(run.id, found);
    }
    return json(await context.mistakes.get(run.id));
  }
  if (what === "api/runs/predict" && method === "POST") {
    const picture = parseDrawing(await readBody(request));
    const loaded = await context.runs.model(run);
    try {
      return json(inspectPicture(loaded, picture, "the drawing"));
    } catch (error) {
      if (!(error instanceof KitError)) throw error;
      return json({ digit: null, message: error.message });
    }
  }
  return notFound(`${what}: no such page for run ${run.id}`);
}

function summary(run: LabRun) {
  const m = run.metrics ?? {};
  return {
    id: run.id,
    dir: run.dir,
    impl: typeof m.impl === "string" ? m.impl : "lib",
    test_accuracy: typeof m.test_accuracy === "number" ? m.test_accuracy : null,
    epochs: Array.isArray(m.epochs) ? m.epochs.length : 0,
  };
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
    },
  });
}

function notFound(message: string): Response {
  return json({ error: message }, 404);
}

/** 400 for a malformed request, 404 for a missing file, 500 for a bug. */
function errorResponse(error: unknown): Response {
  if (error instanceof BadRequest) return json({ error: error.message }, 400);
  if (error instanceof KitError) return json({ error: error.message }, 404);
  console.error(`lab: ${(error as Error)?.stack ?? error}`);
  return json({ error: `internal error: ${(error as Error)?.message}` }, 500);
}
