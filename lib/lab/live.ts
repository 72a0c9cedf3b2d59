/**
 * The live training stream behind `deno task train --lab`. Training runs
 * on the main thread and publishes through a {@link LivePublisher}: each
 * step's loss and accuracy (sent in batches every {@link FLUSH_MS} ms, so a
 * fast run costs a few messages a second, not one per step) and each
 * epoch's validation accuracy. The lab's server runs in a worker
 * (lib/lab/lab_worker.ts), so it answers while training keeps the main
 * thread busy; its {@link LiveStream} sends every event to the pages
 * through Server-Sent Events, a page that connects late getting everything
 * so far first.
 *
 * @module
 */

import type { TrainHooks } from "../train/train.ts";

/** How often buffered steps go out, in milliseconds (20 updates a second). */
export const FLUSH_MS = 50;

/** One message of the stream. */
export type LiveEvent =
  | { type: "start"; run: string; totalSteps: number; epochs: number }
  | { type: "steps"; steps: [step: number, loss: number, accuracy: number][] }
  | { type: "epoch"; epoch: number; valAccuracy: number; seconds: number }
  | { type: "done"; run: string; testAccuracy: number; valAccuracy: number }
  | { type: "failed"; message: string };

/** Collects training events and hands them to `post`, steps in batches. */
export class LivePublisher {
  #pending: [number, number, number][] = [];
  #lastFlush = performance.now();

  /** @param post Delivers an event (to the lab's worker). */
  constructor(readonly post: (event: LiveEvent) => void) {}

  /**
   * Records one step; posts the steps so far every {@link FLUSH_MS} ms.
   *
   * @param step From 1.
   * @param loss The batch's loss.
   * @param accuracy The batch's accuracy, a fraction.
   */
  step(step: number, loss: number, accuracy: number): void {
    this.#pending.push([step, loss, accuracy]);
    if (performance.now() - this.#lastFlush >= FLUSH_MS) this.flush();
  }

  /**
   * Posts an event now, after any buffered steps.
   *
   * @param event Anything but steps.
   */
  send(event: LiveEvent): void {
    this.flush();
    this.post(event);
  }

  /** Posts the buffered steps. */
  flush(): void {
    this.#lastFlush = performance.now();
    if (this.#pending.length === 0) return;
    const steps = this.#pending;
    this.#pending = [];
    this.post({ type: "steps", steps });
  }
}

/**
 * Training hooks that publish every step and each epoch's validation
 * accuracy; the first step announces the run.
 *
 * @param live The publisher.
 * @param run The run's id in the lab.
 * @param epochs How many epochs the run was asked for.
 * @returns Hooks for `train` (each step costs a push into an array).
 */
export function liveHooks(
  live: LivePublisher,
  run: string,
  epochs: number,
): Required<Pick<TrainHooks, "onStep" | "onEpoch">> {
  return {
    onStep(step, totalSteps, loss, _lr, accuracy) {
      if (step === 1) live.send({ type: "start", run, totalSteps, epochs });
      live.step(step, loss, accuracy);
    },
    onEpoch(metrics) {
      live.send({
        type: "epoch",
        epoch: metrics.epoch,
        valAccuracy: metrics.validationAccuracy,
        seconds: metrics.seconds,
      });
    },
  };
}

/** Sends events to every connected page; remembers them for late ones. */
export class LiveStream {
  readonly #history: Uint8Array[] = [];
  readonly #clients = new Set<ReadableStreamDefaultController<Uint8Array>>();

  /**
   * Sends an event to every page.
   *
   * @param event The event.
   */
  send(event: LiveEvent): void {
    const bytes = new TextEncoder().encode(
      `data: ${JSON.stringify(event)}\n\n`,
    );
    this.#history.push(bytes);
    for (const client of this.#clients) {
      try {
        client.enqueue(bytes);
      } catch {
        this.#clients.delete(client);
      }
    }
  }

  /**
   * A Server-Sent Events response: the history so far, then every new event.
   *
   * @returns The response.
   */
  response(): Response {
    let mine: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        mine = controller;
        for (const bytes of this.#history) controller.enqueue(bytes);
        this.#clients.add(controller);
      },
      cancel: () => {
        this.#clients.delete(mine);
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
      },
    });
  }

  /** Ends every connection (the server is stopping). */
  close(): void {
    for (const client of this.#clients) {
      try {
        client.close();
      } catch { /* already gone */ }
    }
    this.#clients.clear();
  }
}
