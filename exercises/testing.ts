/**
 * The kit's test helpers: comparisons with stated tolerances and messages
 * that say what to look at. Exercise tests use these; you don't edit them.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Anything with numbers and a shape, like your `Tensor`. */
export interface TensorLike {
  data: ArrayLike<number>;
  shape: readonly number[];
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function position(index: number, shape: readonly number[]): string {
  if (shape.length !== 2) return `index ${index}`;
  return `index ${index} (row ${Math.floor(index / shape[1])}, col ${
    index % shape[1]
  })`;
}

/**
 * Asserts that a value is a tensor of the expected shape.
 *
 * @param actual What your code returned.
 * @param shape The expected shape.
 * @param what Names it in the message, e.g. `"linearForward output"`.
 */
export function assertShapeIs(
  actual: TensorLike,
  shape: readonly number[],
  what: string,
): void {
  assert.ok(
    actual !== null && typeof actual === "object" && "data" in actual &&
      "shape" in actual,
    `${what}: expected a tensor {data, shape}, got ${String(actual)}`,
  );
  const same = actual.shape.length === shape.length &&
    shape.every((s, i) => s === actual.shape[i]);
  assert.ok(
    same,
    `${what}: expected shape ${shapeText(shape)}, got ${
      shapeText(actual.shape)
    }`,
  );
  assert.equal(
    actual.data.length,
    shape.reduce((a, b) => a * b, 1),
    `${what}: shape ${
      shapeText(shape)
    } but data.length is ${actual.data.length}`,
  );
}

/**
 * Asserts two lists of numbers agree entry by entry within
 * `|actual - expected| ≤ tolerance · max(1, |expected|)`.
 *
 * @param actual What your code computed.
 * @param expected The right answer.
 * @param options `what` names it; `tolerance` defaults to 1e-9; `shape`
 * lets the message give a row and column.
 */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: { what: string; tolerance?: number; shape?: readonly number[] },
): void {
  const tolerance = options.tolerance ?? 1e-9;
  assert.equal(
    actual.length,
    expected.length,
    `${options.what}: expected ${expected.length} values, got ${actual.length}`,
  );
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    const allowed = tolerance * Math.max(1, Math.abs(expected[i]));
    if (!(diff <= allowed)) {
      assert.fail(
        `${options.what}: at ${position(i, options.shape ?? [])} expected ${
          expected[i]
        }, got ${actual[i]} ` +
          `(|difference| ${diff.toExponential(2)} > tolerance ${
            allowed.toExponential(2)
          })`,
      );
    }
  }
}

/**
 * Asserts a tensor's shape and values.
 *
 * @param actual What your code returned.
 * @param expected The expected shape and values, row-major.
 * @param what Names it in messages.
 * @param tolerance Relative tolerance; default 1e-9.
 */
export function assertTensorClose(
  actual: TensorLike,
  expected: { shape: readonly number[]; values: ArrayLike<number> },
  what: string,
  tolerance = 1e-9,
): void {
  assertShapeIs(actual, expected.shape, what);
  assertAllClose(actual.data, expected.values, {
    what,
    tolerance,
    shape: expected.shape,
  });
}

/**
 * The kit's own centered-difference gradient, for the tests of exercises
 * 03-05 (which come before you write yours in exercise 06).
 *
 * @param f The scalar to differentiate; reads `values`.
 * @param values Nudged in place and restored.
 * @returns dF/dValues.
 */
export function referenceNumericGradient(
  f: () => number,
  values: Float64Array,
): Float64Array {
  const h = 1e-5;
  const grad = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const saved = values[i];
    values[i] = saved + h;
    const plus = f();
    values[i] = saved - h;
    const minus = f();
    values[i] = saved;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

/**
 * Asserts an analytic gradient matches a numeric one, saying where and by
 * how much it does not.
 *
 * @param what E.g. `"linearBackward dWeights"`.
 * @param analytic From your backward pass.
 * @param numeric From {@link referenceNumericGradient}.
 * @param tolerance Largest relative error accepted; default 1e-6.
 */
export function assertGradientMatches(
  what: string,
  analytic: TensorLike,
  numeric: Float64Array,
  tolerance = 1e-6,
): void {
  assert.equal(
    analytic.data.length,
    numeric.length,
    `${what}: expected ${numeric.length} gradient values, got ${analytic.data.length}`,
  );
  let worst = 0;
  let worstError = -1;
  for (let i = 0; i < numeric.length; i++) {
    const a = analytic.data[i];
    const n = numeric[i];
    const error = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), 1e-8);
    if (!(error <= worstError)) {
      worst = i;
      worstError = error;
    }
  }
  if (!(worstError <= tolerance)) {
    assert.fail(
      `gradient check failed for ${what}: worst at ${
        position(worst, analytic.shape)
      }: analytic ${analytic.data[worst]} vs numeric ${numeric[worst]}, ` +
        `relative error ${
          worstError.toExponential(2)
        } > tolerance ${tolerance}`,
    );
  }
}

/** A deterministic list of numbers in [-1, 1), for test inputs. */
export function testValues(count: number, seed: number): number[] {
  let state = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push(state / 2147483648 - 1);
  }
  return out;
}

/**
 * Builds the bytes of an IDX file of unsigned bytes, for tests.
 *
 * @param dims E.g. `[2, 28, 28]`.
 * @param values Their product's worth of bytes.
 */
export function idxBytes(
  dims: readonly number[],
  values: ArrayLike<number>,
): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x0800 + dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(values, 4 + 4 * dims.length);
  return bytes;
}

/**
 * A small MNIST-like problem: each of 10 classes has a random 0/255
 * "stroke" pattern; each image is its class's pattern with some pixels
 * flipped. A working network learns it to nearly 100%.
 *
 * @param count How many images.
 * @param pixels Pixels per image.
 * @param seed Picks the patterns and the noise.
 */
export function syntheticDigits(
  count: number,
  pixels: number,
  seed: number,
): { images: Uint8Array; labels: Uint8Array; count: number; pixels: number } {
  const noise = testValues(count * pixels + 10 * pixels + count, seed);
  const patterns = new Uint8Array(10 * pixels);
  for (let i = 0; i < patterns.length; i++) {
    patterns[i] = noise[i] > 0.4 ? 255 : 0;
  }
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  let next = patterns.length;
  for (let n = 0; n < count; n++) {
    const label = Math.floor((noise[next++] + 1) * 5) % 10;
    labels[n] = label;
    for (let p = 0; p < pixels; p++) {
      const flip = noise[next++] > 0.8;
      const on = patterns[label * pixels + p] > 0;
      images[n * pixels + p] = on !== flip ? 255 : 0;
    }
  }
  return { images, labels, count, pixels };
}

function isStubError(error: unknown): boolean {
  return error instanceof Error && /^TODO\(\d\d\.\d+\)/.test(error.message);
}

function judgeError(
  error: unknown,
  check: RegExp | ((error: Error) => unknown),
  what: string,
): void {
  if (isStubError(error)) throw error; // an unfinished stub fails as itself
  if (!(error instanceof Error)) {
    assert.fail(`${what}: expected an Error, got ${String(error)}`);
  }
  if (check instanceof RegExp) {
    assert.match(
      error.message,
      check,
      `${what}: the message "${error.message}" should match ${check}`,
    );
  } else {
    check(error);
  }
}

/**
 * Asserts that `fn` throws an error whose message matches (or which passes
 * `check`). A stub's `TODO(...)` error is passed through unchanged, so an
 * unfinished task fails with its own message.
 *
 * @param fn The call that must throw.
 * @param check A pattern for the message, or a function that asserts.
 * @param what What is expected, for the failure message.
 */
export function assertThrows(
  fn: () => unknown,
  check: RegExp | ((error: Error) => unknown),
  what: string,
): void {
  try {
    fn();
  } catch (error) {
    judgeError(error, check, what);
    return;
  }
  assert.fail(`${what}: expected an error, but nothing was thrown`);
}

/** {@link assertThrows} for async functions. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  check: RegExp | ((error: Error) => unknown),
  what: string,
): Promise<void> {
  try {
    await fn();
  } catch (error) {
    judgeError(error, check, what);
    return;
  }
  assert.fail(`${what}: expected an error, but nothing was thrown`);
}

/**
 * Runs checks of an earlier exercise's function on the exact inputs a later
 * test is about to use, so that a bug the earlier tests missed is named
 * where it lives instead of surfacing as a failure of the later code.
 *
 * @param exercise The earlier exercise's folder, e.g. `"05_softmax"`.
 * @param what E.g. `"crossEntropy returns a wrong dLogits"`.
 * @param check Asserts; any assertion failure is reported as the earlier
 * exercise's, with the command that reruns its tests.
 */
export function assertEarlierExercise(
  exercise: string,
  what: string,
  check: () => void,
): void {
  try {
    check();
  } catch (error) {
    if (isStubError(error)) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    assert.fail(
      `exercise ${
        exercise.slice(0, 2)
      } ${what} here: run deno test exercises/${exercise}/ (${
        detail.split("\n")[0]
      })`,
    );
  }
}
