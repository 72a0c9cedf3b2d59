/// <reference lib="deno.worker" />
/**
 * The lab's server in a worker, for `deno task train --lab`: training
 * keeps the main thread busy, so the server answers from here. Messages in:
 * `start` (run folders, port), `event` (a {@link LiveEvent} to stream),
 * `stop`. Messages out: `listening` (the URL) or `error`.
 *
 * @module
 */

import { KitError } from "../base/errors.ts";
import { type LiveEvent, LiveStream } from "./live.ts";
import { RunRegistry } from "./runs.ts";
import { type LabServer, startLabServer } from "./server.ts";

/** What the main thread sends. */
export type ToLabWorker =
  | { type: "start"; runDirs: string[]; port: number }
  | { type: "event"; event: LiveEvent }
  | { type: "stop" };

/** What the worker answers. */
export type FromLabWorker =
  | { type: "listening"; url: string }
  | { type: "error"; message: string; help?: string }
  | { type: "stopped" };

const runs = new RunRegistry();
const live = new LiveStream();
let server: LabServer | undefined;

self.onmessage = async ({ data }: MessageEvent<ToLabWorker>) => {
  if (data.type === "start") {
    try {
      for (const dir of data.runDirs) await runs.add(dir);
      server = await startLabServer({ runs, port: data.port, live });
      post({ type: "listening", url: server.url });
    } catch (error) {
      if (!(error instanceof KitError)) throw error;
      post({ type: "error", message: error.message, help: error.help });
    }
  } else if (data.type === "event") {
    if (data.event.type === "done") {
      const run = runs.get(data.event.run);
      if (run) await runs.refresh(run);
    }
    live.send(data.event);
  } else {
    live.close();
    await server?.shutdown();
    post({ type: "stopped" });
  }
};

function post(message: FromLabWorker): void {
  self.postMessage(message);
}
