/**
 * A small seeded random number generator (sfc32, seeded through splitmix32).
 *
 * Every random choice the kit makes (weight init, shuffling, dropout) draws
 * from one of these, so the same seed gives the same run, bit for bit.
 * `Math.random` is never used: it cannot be seeded.
 *
 * @module
 */

/**
 * An {@link Rng}'s state: four uint32 words and a waiting normal, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const rng = new Rng(3);
 * const saved: RngState = rng.state();
 * const next = rng.uniform();
 * rng.setState(saved);
 * assert(rng.uniform() === next);
 * ```
 */
export type RngState = [number, number, number, number, number | null];

/**
 * A seeded generator of uniform, normal and integer draws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const a = new Rng(1);
 * const b = new Rng(1);
 * assert(a.normal() === b.normal()); // same seed, same draws
 * assert(a.int(10) < 10);
 * ```
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  /** Box-Muller makes normals in pairs; the second one waits here. */
  #spareNormal: number | null = null;

  /**
   * Creates a generator from a seed.
   *
   * @param seed Any integer; equal seeds give equal sequences.
   */
  constructor(seed: number) {
    // splitmix32 spreads a small seed (0, 1, 2...) over all 128 state bits.
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /**
   * The generator's whole state, for a checkpoint: restoring it with
   * {@link Rng.setState} continues the same sequence, normals included.
   *
   * @returns `[a, b, c, d, spareNormal]` (the last `null` when none waits).
   */
  state(): RngState {
    // `#a` may hold a negative int32 (it comes from an xor); every use
    // reads it mod 2^32, so its uint32 form continues the same sequence.
    const [a, b, c, d] = [this.#a, this.#b, this.#c, this.#d].map((w) =>
      w >>> 0
    );
    return [a, b, c, d, this.#spareNormal];
  }

  /**
   * Continues from a saved {@link Rng.state}.
   *
   * @param state As `state()` returned it.
   * @throws {RangeError} When it is not four uint32 words and a number or
   * `null`.
   */
  setState(state: Readonly<RngState>): void {
    const [a, b, c, d, spare] = state;
    const word = (x: unknown) =>
      Number.isInteger(x) && (x as number) >= 0 && (x as number) < 2 ** 32;
    const spareOk = spare === null || Number.isFinite(spare);
    if (state.length !== 5 || ![a, b, c, d].every(word) || !spareOk) {
      throw new RangeError(`Rng.setState: not an Rng state: ${state}`);
    }
    [this.#a, this.#b, this.#c, this.#d] = [a, b, c, d];
    this.#spareNormal = spare;
  }

  /** Draws 32 random bits. @returns A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Draws a uniform float. @returns A uniform float in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Draws a uniform integer below `n`.
   *
   * @param n The exclusive upper bound, a positive integer below 2^32.
   * @returns A uniform integer in [0, n).
   */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * Draws from a normal distribution.
   *
   * @param mean The distribution's mean.
   * @param std The distribution's standard deviation.
   * @returns A normal draw (Box-Muller transform).
   */
  normal(mean = 0, std = 1): number {
    if (this.#spareNormal !== null) {
      const z = this.#spareNormal;
      this.#spareNormal = null;
      return mean + std * z;
    }
    // 1 - uniform() lies in (0, 1], so the log never sees 0.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.#spareNormal = radius * Math.sin(angle);
    return mean + std * radius * Math.cos(angle);
  }

  /**
   * Shuffles an array in place (Fisher-Yates), every order equally likely.
   *
   * @param items The array to shuffle.
   * @returns The same array, shuffled.
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const held = items[i];
      items[i] = items[j];
      items[j] = held;
    }
    return items;
  }
}
