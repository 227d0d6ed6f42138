/**
 * IDX, the binary format of MNIST and Fashion-MNIST (LeCun et al.), read from files the user
 * already has; trainscope never downloads data. A file is:
 *   bytes 0–1  zero
 *   byte  2    element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   byte  3    number of dimensions d
 *   then d big-endian uint32 sizes, then the elements, big-endian, row-major.
 * Files may be gzip-compressed (detected by the gzip magic 1f 8b, whatever the file name).
 * Every size is checked against the header, so a truncated download or a wrong file fails here
 * with the path and the numbers, not later as a shape error.
 *
 * Fashion-MNIST: Debian's `dataset-fashion-mnist` package (0.0~git20200523) installs the four
 * gzipped files in /usr/share/datasets/fashion-mnist/ (checked with `dpkg -c`), which is the
 * default directory of `loadFashionMnist`.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { checkDType } from '../tensor/dtype.ts';
import { Tensor } from '../tensor/tensor.ts';
import { checkDataset, type Dataset } from './dataset.ts';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface Idx {
  dims: number[];
  type: IdxType;
  data: IdxArray;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};
const CODE_OF: Record<IdxType, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };
const hex = (v: number, w = 2): string => `0x${v.toString(16).padStart(w, '0')}`;
// A sanity bound on one file's elements: beyond this a header is corrupt, not a dataset.
const MAX_ELEMENTS = 2 ** 31 - 1;

/** Decodes IDX bytes (plain or gzip); `source` names the file in errors. */
export function parseIdx(bytes: Uint8Array, source = 'buffer'): Idx {
  const fail = (msg: string): never => {
    throw new Error(`readIdx: ${source}: ${msg}`);
  };
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      fail(`looks gzip-compressed but does not decompress (${(e as Error).message}); the file is corrupt or truncated`);
    }
  }
  if (bytes.length < 4) fail(`${bytes.length} bytes is too short for an IDX header (needs at least 4)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`bad magic number ${hex(magic, 8)}: an IDX file starts with two zero bytes (e.g. 0x00000803 for uint8 images)`);
  const t = TYPES[bytes[2]!];
  if (!t) fail(`unknown element type code ${hex(bytes[2]!)} in magic ${hex(magic, 8)} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  const rank = bytes[3]!;
  if (rank === 0) fail(`magic ${hex(magic, 8)} declares 0 dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) fail(`header declares ${rank} dimensions (${headerBytes} header bytes) but the file has only ${bytes.length} bytes`);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i);
    dims.push(d);
    count *= d;
  }
  if (count > MAX_ELEMENTS) fail(`dimensions [${dims.join(', ')}] give ${count} elements, more than any IDX file holds: the header is corrupt`);
  const want = headerBytes + count * t!.bytes;
  if (bytes.length !== want) {
    fail(
      `dimensions [${dims.join(', ')}] of ${t!.type} need ${want} bytes but the file has ${bytes.length} (${bytes.length < want ? 'truncated' : 'trailing bytes'})`,
    );
  }
  const data = readElements(view, headerBytes, count, t!.type);
  return { dims, type: t!.type, data };
}

function readElements(view: DataView, offset: number, count: number, type: IdxType): IdxArray {
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(offset + 2 * i);
      return a;
    }
    case 'int32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(offset + 4 * i);
      return a;
    }
    case 'float32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(offset + 4 * i);
      return a;
    }
    case 'float64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(offset + 8 * i);
      return a;
    }
  }
}

/** Reads an IDX file (plain or .gz) into { dims, type, data }. */
export function readIdx(path: string): Idx {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readIdx: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseIdx(bytes, path);
}

function typeOfArray(data: IdxArray): IdxType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  throw new Error(`encodeIdx: data must be a Uint8/Int8/Int16/Int32/Float32/Float64Array`);
}

/** Encodes dims and data as IDX bytes (the element type follows the typed array). */
export function encodeIdx(dims: readonly number[], data: IdxArray): Uint8Array {
  const type = typeOfArray(data);
  if (dims.length < 1 || dims.length > 255) throw new Error(`encodeIdx: needs 1 to 255 dimensions, got ${dims.length}`);
  if (dims.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) throw new Error(`encodeIdx: invalid dimensions [${dims.join(', ')}]`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeIdx: dimensions [${dims.join(', ')}] hold ${count} elements but data has ${data.length}`);
  const { bytes: size } = TYPES[CODE_OF[type]]!;
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  view.setUint8(2, CODE_OF[type]);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0; i < count; i++) {
    const o = header + i * size;
    const v = data[i]!;
    switch (type) {
      case 'uint8':
        view.setUint8(o, v);
        break;
      case 'int8':
        view.setInt8(o, v);
        break;
      case 'int16':
        view.setInt16(o, v);
        break;
      case 'int32':
        view.setInt32(o, v);
        break;
      case 'float32':
        view.setFloat32(o, v);
        break;
      case 'float64':
        view.setFloat64(o, v);
        break;
    }
  }
  return out;
}

/** Writes an IDX file, gzip-compressed when `gzip` is set. */
export function writeIdx(path: string, dims: readonly number[], data: IdxArray, opts: { gzip?: boolean } = {}): void {
  const bytes = encodeIdx(dims, data);
  writeFileSync(path, opts.gzip ? gzipSync(bytes) : bytes);
}

export interface IdxDatasetOptions {
  /** Dataset name for errors and reports. */
  name: string;
  numClasses: number;
  /** Keep only the first `limit` examples (default: all). */
  limit?: number;
  dtype?: 'float64' | 'float32';
}

/**
 * An image-classification dataset from an IDX image file (uint8 [n, rows, cols]) and an IDX
 * label file (uint8 [n]): x [n, rows·cols] = pixel/255 in [0, 1], y int32.
 */
export function loadIdxDataset(imagesPath: string, labelsPath: string, opts: IdxDatasetOptions): Dataset {
  const where = `loadIdxDataset(${opts.name})`;
  const dtype = checkDType(opts.dtype ?? 'float64', where);
  if (dtype !== 'float64' && dtype !== 'float32') throw new Error(`${where}: dtype must be float64 or float32, got ${dtype}`);
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.type !== 'uint8' || images.dims.length !== 3) {
    throw new Error(`${where}: ${imagesPath} should hold uint8 images [n, rows, cols], got ${images.type} [${images.dims.join(', ')}]`);
  }
  if (labels.type !== 'uint8' || labels.dims.length !== 1) {
    throw new Error(`${where}: ${labelsPath} should hold uint8 labels [n], got ${labels.type} [${labels.dims.join(', ')}]`);
  }
  const [total, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== total) throw new Error(`${where}: ${imagesPath} has ${total} images but ${labelsPath} has ${labels.dims[0]} labels`);
  const n = opts.limit ?? total;
  if (!Number.isInteger(n) || n < 0 || n > total) throw new Error(`${where}: asked for ${opts.limit} examples but ${imagesPath} has ${total}`);
  const d = rows * cols;
  const x = dtype === 'float32' ? new Float32Array(n * d) : new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) x[i] = images.data[i]! / 255;
  const y = Int32Array.from(labels.data.subarray(0, n));
  return checkDataset({ x: new Tensor(x, [n, d], dtype), y: new Tensor(y, [n], 'int32'), numClasses: opts.numClasses, name: opts.name }, where);
}

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);
/** The standard file names (also MNIST's); each may carry a .gz suffix. */
export const IDX_FILES = Object.freeze({
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
});

/** The path of `base` or `base.gz` in dir (plain preferred), or an error naming both. */
function findIdxFile(where: string, dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${where}: neither ${base} nor ${base}.gz is in ${dir}`);
}

/**
 * Fashion-MNIST (Zalando; 60,000 train / 10,000 test 28×28 grayscale clothing images, 10
 * classes, see FASHION_MNIST_CLASSES) from the four standard IDX files in `dir`, plain or
 * gzipped. The official split is kept; `train`/`test` keep the first that many examples.
 * Also reads original MNIST IDX files, which use the same names (pass a `name`).
 */
export function loadFashionMnist(
  dir: string = FASHION_MNIST_DEBIAN_DIR,
  opts: { train?: number; test?: number; dtype?: 'float64' | 'float32'; name?: string } = {},
): { train: Dataset; test: Dataset } {
  const name = opts.name ?? 'fashion-mnist';
  const where = `loadFashionMnist(${dir})`;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(
      `${where}: no such directory. Put the four IDX files (${Object.values(IDX_FILES).join(', ')}, optionally .gz) there; ` +
        `on Debian, \`apt-get install dataset-fashion-mnist\` installs them in ${FASHION_MNIST_DEBIAN_DIR}. trainscope never downloads data.`,
    );
  }
  const file = (base: string): string => findIdxFile(where, dir, base);
  const common = { numClasses: 10, dtype: opts.dtype };
  return {
    train: loadIdxDataset(file(IDX_FILES.trainImages), file(IDX_FILES.trainLabels), { ...common, name: `${name}-train`, limit: opts.train }),
    test: loadIdxDataset(file(IDX_FILES.testImages), file(IDX_FILES.testLabels), { ...common, name: `${name}-test`, limit: opts.test }),
  };
}
