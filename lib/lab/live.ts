/**
 * The live training stream behind `deno task train --lab`: training
 * publishes each step's loss and accuracy and each epoch's validation
 * accuracy; pages subscribe through Server-Sent Events. Steps are sent in
 * batches every {@link FLUSH_MS} ms (so a fast run costs a few writes a
 * second, not one per step), and a page that connects late gets
 * everything so far first.
 *
 * @module
 */

/** How often buffered steps go out, in milliseconds (20 updates a second). */
export const FLUSH_MS = 50;

/** One message of the stream. */
export type LiveEvent =
  | { type: "start"; run: string; totalSteps: number; epochs: number }
  | { type: "steps"; steps: [step: number, loss: number, accuracy: number][] }
  | { type: "epoch"; epoch: number; valAccuracy: number; seconds: number }
  | { type: "done"; run: string; testAccuracy: number; valAccuracy: number }
  | { type: "failed"; message: string };

/** Fans training events out to every connected page. */
export class LiveStream {
  readonly #history: string[] = [];
  readonly #clients = new Set<ReadableStreamDefaultController<Uint8Array>>();
  #pending: [number, number, number][] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #encoder = new TextEncoder();

  /**
   * Records one step; sent with the next flush.
   *
   * @param step From 1.
   * @param loss The batch's loss.
   * @param accuracy The batch's accuracy, a fraction.
   */
  step(step: number, loss: number, accuracy: number): void {
    this.#pending.push([step, loss, accuracy]);
    this.#timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /**
   * Sends an event now (after any buffered steps).
   *
   * @param event Anything but steps.
   */
  send(event: LiveEvent): void {
    this.flush();
    this.#broadcast(event);
  }

  /** Sends the buffered steps. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const steps = this.#pending;
    this.#pending = [];
    this.#broadcast({ type: "steps", steps });
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
        for (const line of this.#history) {
          controller.enqueue(this.#encoder.encode(line));
        }
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
    this.flush();
    for (const client of this.#clients) {
      try {
        client.close();
      } catch { /* already gone */ }
    }
    this.#clients.clear();
  }

  #broadcast(event: LiveEvent): void {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    this.#history.push(line);
    const bytes = this.#encoder.encode(line);
    for (const client of this.#clients) {
      try {
        client.enqueue(bytes);
      } catch {
        this.#clients.delete(client);
      }
    }
  }
}
