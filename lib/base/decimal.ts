/**
 * Plain decimal numbers for flags and settings: `Number()` alone reads
 * `0x10` as 16, `""` and `" "` as 0 and `Infinity` as a number.
 *
 * @module
 */

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a decimal number: digits, an optional point and exponent
 * (`0.05`, `5e-4`, `-1`). Anything else, hex, binary, `Infinity`, blanks
 * or the empty string included, is `NaN`.
 *
 * @param text The value as typed.
 * @returns The number, or `NaN`.
 */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}
