/**
 * A seeded fuzzer for the kit's file formats: it mutates valid IDX files
 * (plain and gzip) and model files the ways hostile or damaged files differ
 * (header bytes, dimensions, lengths, truncation, trailing bytes, gzip
 * framing, NaN values, huge layer sizes in a well-formed header), and
 * tallies how each parser answered.
 *
 * @module
 */

import { KitError, type Rng } from "../../mod.ts";

/** One hostile file and how it was made. */
export interface FuzzCase {
  /** Which mutation, e.g. `"idx dims"`. */
  kind: string;
  /** The file's bytes. */
  bytes: Uint8Array;
}

/** How the parsers answered a batch of cases. */
export interface FuzzTally {
  /** Cases tried. */
  tried: number;
  /** Parsed without complaint (the mutation left a valid file). */
  accepted: number;
  /** Refused with the kit's own error. */
  refused: number;
  /** Anything else thrown: each one is a bug. */
  crashes: { kind: string; error: string }[];
}

/** Gzips bytes (synchronously enough for a test: one await). */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const EDGE_UINT32 = [0, 1, 2, 27, 28, 29, 255, 65535, 2 ** 31, 2 ** 32 - 1];

/** Mutates an IDX file: header bytes, one dimension, length. */
export function mutateIdx(rng: Rng, valid: Uint8Array): FuzzCase {
  const bytes = valid.slice();
  const view = new DataView(bytes.buffer);
  const dimensions = bytes[3];
  switch (rng.int(6)) {
    case 0: // a header byte (magic, type, dimension count, dims)
      bytes[rng.int(4 + 4 * dimensions)] = rng.int(256);
      return { kind: "idx header byte", bytes };
    case 1: { // one dimension set to an edge or random value
      const d = rng.int(dimensions);
      const value = rng.uniform() < 0.7
        ? EDGE_UINT32[rng.int(EDGE_UINT32.length)]
        : rng.nextUint32();
      view.setUint32(4 + 4 * d, value, false);
      return { kind: "idx dims", bytes };
    }
    case 2: // truncated anywhere, the header included
      return {
        kind: "idx truncated",
        bytes: bytes.subarray(0, rng.int(bytes.length)),
      };
    case 3: { // trailing bytes
      const extra = Uint8Array.from(
        { length: 1 + rng.int(64) },
        () => rng.int(256),
      );
      return { kind: "idx trailing", bytes: concat(bytes, extra) };
    }
    case 4: // a data byte: labels above 9 among them
      bytes[4 + 4 * dimensions + rng.int(bytes.length - 4 - 4 * dimensions)] =
        rng.int(256);
      return { kind: "idx data byte", bytes };
    default: // a random run of header and data bytes
      for (let k = 0; k < 1 + rng.int(8); k++) {
        bytes[rng.int(bytes.length)] = rng.int(256);
      }
      return { kind: "idx random bytes", bytes };
  }
}

/** Mutates gzip framing: its header, body, CRC and length trailer. */
export function mutateGzip(rng: Rng, gzipped: Uint8Array): FuzzCase {
  const bytes = gzipped.slice();
  switch (rng.int(4)) {
    case 0: // the 10-byte gzip header (magic, method, flags, time, OS)
      bytes[rng.int(10)] = rng.int(256);
      return { kind: "gzip header", bytes };
    case 1: // the 8-byte trailer: CRC32 and length
      bytes[bytes.length - 1 - rng.int(8)] ^= 1 + rng.int(255);
      return { kind: "gzip trailer", bytes };
    case 2: // the deflate stream
      bytes[10 + rng.int(bytes.length - 18)] ^= 1 + rng.int(255);
      return { kind: "gzip body", bytes };
    default:
      return {
        kind: "gzip truncated",
        bytes: bytes.subarray(0, rng.int(bytes.length)),
      };
  }
}

/** Mutates a model file: bytes, the header length, the JSON, the values. */
export function mutateModel(rng: Rng, valid: Uint8Array): FuzzCase {
  const bytes = valid.slice();
  const view = new DataView(bytes.buffer);
  const headerLength = view.getUint32(8, true);
  switch (rng.int(6)) {
    case 0:
      bytes[rng.int(12 + headerLength)] = rng.int(256);
      return { kind: "model header byte", bytes };
    case 1:
      view.setUint32(8, EDGE_UINT32[rng.int(EDGE_UINT32.length)], true);
      return { kind: "model header length", bytes };
    case 2:
      return {
        kind: "model truncated",
        bytes: bytes.subarray(0, rng.int(bytes.length)),
      };
    case 3: { // a NaN or an infinity among the values
      const at = bytes.length - 4 * (1 + rng.int(8));
      view.setFloat32(at, [NaN, Infinity, -Infinity][rng.int(3)], true);
      return { kind: "model non-finite value", bytes };
    }
    case 4:
      return { kind: "model header json", bytes: withHeader(rng, bytes) };
    default: {
      const extra = Uint8Array.from(
        { length: 1 + rng.int(16) },
        () => rng.int(256),
      );
      return { kind: "model trailing", bytes: concat(bytes, extra) };
    }
  }
}

/** A well-formed file whose JSON header says something hostile. */
function withHeader(rng: Rng, valid: Uint8Array): Uint8Array {
  const view = new DataView(valid.buffer);
  const length = view.getUint32(8, true);
  const header = JSON.parse(
    new TextDecoder().decode(valid.subarray(12, 12 + length)),
  );
  const huge = [2 ** 20, 2 ** 31, 2 ** 53, 1e300, -1, 0.5, "7", null];
  const pick = () => huge[rng.int(huge.length)];
  switch (rng.int(6)) {
    case 0:
      header.sizes = header.sizes.map(() => pick());
      break;
    case 1:
      header.parameters[rng.int(header.parameters.length)].shape = [
        pick(),
        pick(),
      ];
      break;
    case 2:
      header.dtype = ["f16", "", null, 8][rng.int(4)];
      break;
    case 3:
      header.version = [0, 1, 3, "2", null][rng.int(5)];
      break;
    case 4:
      header.input = [{ scale: NaN }, { scale: -1 }, {}, null][rng.int(4)];
      break;
    default:
      header.activation = ["gelu", "", "__proto__", 1][rng.int(4)];
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const values = valid.subarray(Math.ceil((12 + length) / 8) * 8);
  const start = Math.ceil((12 + json.length) / 8) * 8;
  const bytes = new Uint8Array(start + values.length);
  bytes.set(valid.subarray(0, 8));
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  bytes.set(values, start);
  return bytes;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/**
 * Feeds cases to a parser and tallies the answers.
 *
 * @param cases The hostile files.
 * @param parse The parser; it may return anything or throw.
 * @returns Accepted, refused with a {@link KitError}, and crashes.
 */
export async function tally<C extends FuzzCase>(
  cases: Iterable<C>,
  parse: (fuzz: C) => unknown,
): Promise<FuzzTally> {
  const result: FuzzTally = { tried: 0, accepted: 0, refused: 0, crashes: [] };
  for (const fuzz of cases) {
    result.tried++;
    try {
      await parse(fuzz);
      result.accepted++;
    } catch (error) {
      if (error instanceof KitError) result.refused++;
      else result.crashes.push({ kind: fuzz.kind, error: String(error) });
    }
  }
  return result;
}
