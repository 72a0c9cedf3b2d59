/**
 * Reading the lab's requests defensively: bodies are capped at
 * {@link MAX_BODY_BYTES} while they stream in, and a drawing must be exactly
 * what it claims (whole sizes, as many pixels as width × height, each a
 * byte). Every failure is a {@link BadRequest} with a message for a 400.
 *
 * @module
 */

import type { Picture } from "../data/preprocess.ts";

/** The largest request body the lab reads. */
export const MAX_BODY_BYTES = 64 * 1024;
/** The largest drawing side the lab accepts, in pixels. */
export const MAX_SIDE = 512;

/** A malformed request: answered with 400 and this message. */
export class BadRequest extends Error {
  /** @param message What is wrong with the request. */
  constructor(message: string) {
    super(message);
    this.name = "BadRequest";
  }
}

/**
 * Reads a body as text, refusing one over {@link MAX_BODY_BYTES} without
 * reading the rest.
 *
 * @param request The request.
 * @returns The body.
 * @throws {BadRequest} When it is too large or not UTF-8.
 */
export async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    throw new BadRequest(
      `the body is ${declared} bytes, more than the ${MAX_BODY_BYTES} allowed`,
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        throw new BadRequest(
          `the body is more than the ${MAX_BODY_BYTES} bytes allowed`,
        );
      }
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequest("the body is not UTF-8 text");
  }
}

/**
 * Parses a drawing: `{"width", "height", "pixels"}` with `pixels` a list of
 * width × height grey levels 0-255, row by row.
 *
 * @param text The request body.
 * @returns The drawing as a grey picture.
 * @throws {BadRequest} Naming the first thing that is wrong.
 */
export function parseDrawing(text: string): Picture {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequest("the body is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new BadRequest(`expected {"width", "height", "pixels"}`);
  }
  const { width, height, pixels } = json as Record<string, unknown>;
  for (const [name, side] of [["width", width], ["height", height]] as const) {
    if (
      !Number.isInteger(side) || (side as number) < 1 ||
      (side as number) > MAX_SIDE
    ) {
      throw new BadRequest(
        `"${name}" must be a whole number from 1 to ${MAX_SIDE}, got ${
          JSON.stringify(side)
        }`,
      );
    }
  }
  const count = (width as number) * (height as number);
  if (!Array.isArray(pixels) || pixels.length !== count) {
    throw new BadRequest(
      `"pixels" must be a list of ${count} grey levels (width × height), got ${
        Array.isArray(pixels)
          ? `${pixels.length}`
          : JSON.stringify(typeof pixels)
      }`,
    );
  }
  const bytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = pixels[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255) {
      throw new BadRequest(
        `"pixels"[${i}] must be a whole number from 0 to 255, got ${
          JSON.stringify(v)
        }`,
      );
    }
    bytes[i] = v;
  }
  return {
    width: width as number,
    height: height as number,
    channels: 1,
    pixels: bytes,
  };
}
