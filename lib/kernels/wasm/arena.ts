/**
 * The kernels' WebAssembly memory and how it is laid out.
 *
 * WebAssembly code can only read its own memory, so copying operands in
 * and out on every call would cost as much as the arithmetic for a batch of
 * 64. Instead the kernels own an arena inside that memory: layers allocate
 * their weights, gradients and activations there (`allocate`), and a
 * product whose operands already live there runs with no copies. Anything
 * else (a batch of images, an evaluation chunk) is copied into scratch
 * regions, in row chunks when large. The memory never grows, because growing
 * would detach every typed array viewing it.
 *
 * @module
 */

import type { DType, FloatArray } from "../../base/tensor.ts";
import { CONTROL } from "./protocol.ts";

/** Bytes in a mebibyte. */
export const MiB = 1 << 20;
const PAGE = 65536;
/** The most bytes of a product the worker computes a partial sum of. */
const WORKER_OUT_BYTES = 4 * MiB;

/** A byte range of the WebAssembly memory. */
export interface Region {
  /** Its first byte (64-byte aligned). */
  readonly ptr: number;
  /** Its length in bytes. */
  readonly bytes: number;
}

/** How much of each kind of memory to reserve. */
export interface ArenaSizes {
  /** Bytes for tensors handed out by `allocate` and `placeBytes`. */
  arenaBytes: number;
  /** Bytes of each of the four scratch regions for copied operands. */
  scratchBytes: number;
  /** Whether a worker thread needs its own gather and output regions. */
  worker: boolean;
}

/** The shared memory, its regions, and the tensors placed in it. */
export class Arena {
  /** The shared memory both threads' instances use. */
  readonly memory: WebAssembly.Memory;
  /** All of the memory as f32. */
  readonly heap: Float32Array;
  /** All of the memory as f64 (for the f64 kernels). */
  readonly heap64: Float64Array;
  /** The control block of the worker protocol (protocol.ts). */
  readonly control: Region;
  /** This thread's nonzero gather: 8 bytes per column of A, k up to 1M. */
  readonly gather: Region;
  /** The worker's nonzero gather. */
  readonly workerGather: Region;
  /** The worker's partial sum of a product split along k. */
  readonly workerOut: Region;
  /** Scratch for a copied A operand (or a batch's image indices). */
  readonly scratchA: Region;
  /** Scratch for a copied B operand. */
  readonly scratchB: Region;
  /** Scratch for a transposed operand. */
  readonly scratchT: Region;
  /** Scratch for an output that does not live in the memory. */
  readonly scratchOut: Region;
  /** Where `allocate` and `placeBytes` put their arrays. */
  readonly tensors: Region;
  /** Floats of `tensors` handed out so far. */
  #used = 0;
  /** placeBytes' copies, by the source's buffer and range. */
  readonly #placed = new WeakMap<ArrayBufferLike, Map<string, Uint8Array>>();

  /** Reserves the memory (pages count toward memory use once touched). */
  constructor({ arenaBytes, scratchBytes, worker }: ArenaSizes) {
    let next = 0;
    const region = (bytes: number): Region => {
      const at = { ptr: next, bytes };
      next += Math.ceil(bytes / 64) * 64;
      return at;
    };
    this.control = region(4 * CONTROL.length);
    this.gather = region(8 * MiB);
    this.workerGather = region(worker ? 8 * MiB : 0);
    this.workerOut = region(worker ? WORKER_OUT_BYTES : 0);
    this.scratchA = region(scratchBytes);
    this.scratchB = region(scratchBytes);
    this.scratchT = region(scratchBytes);
    this.scratchOut = region(scratchBytes);
    this.tensors = region(arenaBytes);
    const pages = Math.ceil(next / PAGE);
    this.memory = new WebAssembly.Memory({
      initial: pages,
      maximum: pages,
      shared: true,
    });
    this.heap = new Float32Array(this.memory.buffer);
    this.heap64 = new Float64Array(this.memory.buffer);
  }

  /** @returns Where `x` starts in the memory, or null if it lives elsewhere. */
  pointerOf(x: FloatArray | Uint8Array): number | null {
    return x.buffer === this.memory.buffer ? x.byteOffset : null;
  }

  /**
   * A pointer to `x` (its first `length` values): in place, or a copy in
   * `scratch`.
   *
   * @returns The pointer, or null when the copy does not fit.
   */
  place(x: FloatArray, length: number, scratch: Region): number | null {
    const ptr = this.pointerOf(x);
    if (ptr !== null) return ptr;
    const size = x.BYTES_PER_ELEMENT;
    if (size * length > scratch.bytes) return null;
    this.heapOf(x).set(x.subarray(0, length), scratch.ptr / size);
    return scratch.ptr;
  }

  /** @returns The view of the memory with `x`'s element type. */
  heapOf(x: FloatArray): FloatArray {
    return x instanceof Float32Array ? this.heap : this.heap64;
  }

  /**
   * A tensor in the memory (f32 or f64); when the arena is full, an
   * ordinary array.
   *
   * @returns A zeroed array of `length` values.
   */
  allocate(dtype: DType, length: number): FloatArray {
    const size = dtype === "f32" ? 4 : 8;
    const at = this.reserve(size * length);
    if (at === null) {
      return dtype === "f32"
        ? new Float32Array(length)
        : new Float64Array(length);
    }
    return dtype === "f32"
      ? new Float32Array(this.memory.buffer, at, length)
      : new Float64Array(this.memory.buffer, at, length);
  }

  /**
   * `bytes` of the tensors' memory, never handed out before (so zeroed):
   * for `allocate`, `placeBytes` and the kernels' own use (the index of a
   * frozen input). Every range starts on a cache line (64 bytes), so that
   * two threads writing different columns never write the same line.
   *
   * @returns Its first byte, or null when the arena is full.
   */
  reserve(bytes: number): number | null {
    // #used counts 4-byte slots.
    const slots = Math.ceil(bytes / 4);
    if (4 * (this.#used + slots) > this.tensors.bytes) return null;
    const at = this.tensors.ptr + 4 * this.#used;
    this.#used += Math.ceil(slots / 16) * 16;
    return at;
  }

  /**
   * A copy of `bytes` in the memory, made once per source range.
   *
   * @returns The copy, or null when the arena is full.
   */
  placeBytes(bytes: Uint8Array): Uint8Array | null {
    let copies = this.#placed.get(bytes.buffer);
    const key = `${bytes.byteOffset}:${bytes.length}`;
    const placed = copies?.get(key);
    if (placed) return placed;
    const at = this.reserve(bytes.length);
    if (at === null) return null;
    const copy = new Uint8Array(this.memory.buffer, at, bytes.length);
    copy.set(bytes);
    if (!copies) this.#placed.set(bytes.buffer, copies = new Map());
    copies.set(key, copy);
    return copy;
  }
}
