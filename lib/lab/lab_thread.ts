/**
 * Starts and talks to the lab's worker (lib/lab/lab_worker.ts) from the
 * thread that trains.
 *
 * @module
 */

import { KitError } from "../base/errors.ts";
import type { FromLabWorker, ToLabWorker } from "./lab_worker.ts";
import { LivePublisher } from "./live.ts";

/** A lab served from a worker. */
export interface LabThread {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  /** Publishes training events to the worker's live stream. */
  publisher: LivePublisher;
  /** Stops the server and the worker. */
  stop(): Promise<void>;
}

/**
 * Starts the lab's server in a worker.
 *
 * @param runDirs The run folders it serves (the live run first).
 * @param port The port on 127.0.0.1.
 * @returns The running lab.
 * @throws {KitError} When the port is in use or a folder is missing.
 */
export async function startLabThread(
  runDirs: string[],
  port: number,
): Promise<LabThread> {
  const worker = new Worker(new URL("./lab_worker.ts", import.meta.url), {
    type: "module",
  });
  const send = (message: ToLabWorker) => worker.postMessage(message);
  const next = () =>
    new Promise<FromLabWorker>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`lab worker: ${event.message}`));
      };
    });
  const answer = next();
  send({ type: "start", runDirs, port });
  const first = await answer;
  if (first.type !== "listening") {
    worker.terminate();
    throw first.type === "error"
      ? new KitError(first.message, first.help)
      : new Error(`lab worker: unexpected ${first.type}`);
  }
  return {
    url: first.url,
    publisher: new LivePublisher((event) => send({ type: "event", event })),
    stop: async () => {
      const stopped = next();
      send({ type: "stop" });
      await stopped;
      worker.terminate();
    },
  };
}
