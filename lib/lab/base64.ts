/**
 * Bytes as base64, for JSON answers that carry small images.
 *
 * @module
 */

/**
 * Encodes bytes as base64.
 *
 * @param bytes Any bytes.
 * @returns The base64 text.
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(binary);
}
