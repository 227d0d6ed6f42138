import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, loadFashionMnist, parseIdx, readIdx, writeIdx, FASHION_MNIST_DEBIAN_DIR, IDX_FILES, type IdxArray } from './idx.ts';

const dir = mkdtempSync(join(tmpdir(), 'trainscope-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('IDX: every element type round-trips through plain and gzip files', () => {
  const cases: [number[], IdxArray][] = [
    [[2, 3, 4], Uint8Array.from({ length: 24 }, (_, i) => (i * 37) % 256)],
    [[5], Int8Array.from([-128, -1, 0, 1, 127])],
    [[2, 2], Int16Array.from([-32768, -2, 3, 32767])],
    [[3], Int32Array.from([-(2 ** 31), 7, 2 ** 31 - 1])],
    [[2, 1], Float32Array.from([Math.fround(0.1), -3.5])],
    [[1, 1, 3], Float64Array.from([Math.PI, -0, 1e-300])],
    [[0, 28, 28], new Uint8Array(0)],
  ];
  for (const [dims, data] of cases) {
    for (const gzip of [false, true]) {
      const path = join(dir, `rt-${data.constructor.name}-${dims.join('x')}${gzip ? '.gz' : ''}`);
      writeIdx(path, dims, data, { gzip });
      const back = readIdx(path);
      assert.deepEqual(back.dims, dims);
      assert.equal(back.data.constructor, data.constructor);
      assert.deepEqual(back.data, data);
    }
  }
  // The header is big-endian with the standard MNIST magic.
  assert.deepEqual(Array.from(encodeIdx([2, 1, 1], new Uint8Array(2)).subarray(0, 8)), [0, 0, 8, 3, 0, 0, 0, 2]);
});

test('IDX: unreadable and corrupt files fail with the path and what is wrong', () => {
  const good = encodeIdx([2, 2], Uint8Array.from([1, 2, 3, 4]));
  const bad = (name: string, bytes: Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  assert.throws(() => readIdx(join(dir, 'missing')), /readIdx: cannot read .*missing: ENOENT/);
  assert.throws(() => readIdx(dir), /readIdx: cannot read .*EISDIR/);
  assert.throws(() => readIdx(bad('short', Uint8Array.from([0, 0, 8]))), /short: 3 bytes is too short for an IDX header/);
  assert.throws(() => readIdx(bad('magic', Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]))), /magic: bad magic number 0x504b0304/);
  assert.throws(() => readIdx(bad('type', Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 0]))), /type: unknown element type code 0x0a/);
  assert.throws(() => readIdx(bad('rank0', Uint8Array.from([0, 0, 8, 0]))), /declares 0 dimensions/);
  assert.throws(
    () => readIdx(bad('header', Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2]))),
    /header declares 3 dimensions \(16 header bytes\) but the file has only 8 bytes/,
  );
  assert.throws(
    () => readIdx(bad('trunc', good.subarray(0, good.length - 1))),
    /trunc: dimensions \[2, 2\] of uint8 need 16 bytes but the file has 15 \(truncated\)/,
  );
  assert.throws(() => readIdx(bad('trail', Uint8Array.from([...good, 9]))), /has 17 \(trailing bytes\)/);
  assert.throws(() => readIdx(bad('huge', Uint8Array.from([0, 0, 8, 2, 255, 255, 255, 255, 255, 255, 255, 255]))), /the header is corrupt/);
  const gz = gzipSync(good);
  assert.throws(() => readIdx(bad('gz', gz.subarray(0, gz.length - 6))), /gz: looks gzip-compressed but does not decompress/);
  assert.throws(() => parseIdx(Uint8Array.from([1, 0, 8, 1])), /readIdx: buffer: bad magic/);
  assert.throws(() => encodeIdx([3], new Uint8Array(2)), /hold 3 elements but data has 2/);
});

/** A fake Fashion-MNIST directory: train files plain, test files gzipped. */
function fakeFashion(name: string, nTrain: number, nTest: number, opts: { badLabel?: boolean; labelCount?: number } = {}): string {
  const root = mkdtempSync(join(dir, `${name}-`));
  const images = (n: number): Uint8Array => Uint8Array.from({ length: n * 4 * 4 }, (_, i) => (i * 13) % 256);
  const labels = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i % 10);
  writeIdx(join(root, IDX_FILES.trainImages), [nTrain, 4, 4], images(nTrain));
  const tl = labels(opts.labelCount ?? nTrain);
  if (opts.badLabel) tl[1] = 12;
  writeIdx(join(root, IDX_FILES.trainLabels), [tl.length], tl);
  writeIdx(join(root, `${IDX_FILES.testImages}.gz`), [nTest, 4, 4], images(nTest), { gzip: true });
  writeIdx(join(root, `${IDX_FILES.testLabels}.gz`), [nTest], labels(nTest), { gzip: true });
  return root;
}

test('loadFashionMnist: reads the four standard files (plain or .gz) into [n, rows·cols] in [0, 1]', () => {
  const root = fakeFashion('fm', 12, 5);
  const { train, test: t } = loadFashionMnist(root);
  assert.deepEqual(train.x.shape, [12, 16]);
  assert.deepEqual(t.x.shape, [5, 16]);
  assert.equal(train.name, 'fashion-mnist-train');
  assert.equal(t.numClasses, 10);
  assert.deepEqual(Array.from(train.y.data), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  assert.equal(train.x.data[1], 13 / 255);
  const limited = loadFashionMnist(root, { train: 3, test: 2, dtype: 'float32', name: 'mnist' });
  assert.deepEqual(limited.train.x.shape, [3, 16]);
  assert.equal(limited.test.x.dtype, 'float32');
  assert.equal(limited.test.name, 'mnist-test');
  assert.throws(() => loadFashionMnist(root, { train: 13 }), /asked for 13 examples but .*train-images-idx3-ubyte has 12/);
});

test('loadFashionMnist: missing directory, missing file, mismatched and bad labels', () => {
  assert.throws(() => loadFashionMnist(join(dir, 'nope')), /no such directory.*apt-get install dataset-fashion-mnist.*never downloads/);
  const root = fakeFashion('fm-missing', 3, 2);
  rmSync(join(root, `${IDX_FILES.testLabels}.gz`));
  assert.throws(() => loadFashionMnist(root), /neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte.gz is in/);
  assert.throws(() => loadFashionMnist(fakeFashion('fm-count', 3, 2, { labelCount: 4 })), /has 3 images but .* has 4 labels/);
  assert.throws(() => loadFashionMnist(fakeFashion('fm-label', 3, 2, { badLabel: true })), /fashion-mnist-train': label 12 at index 1 is outside \[0, 10\)/);
  const swapped = fakeFashion('fm-swap', 3, 2);
  writeIdx(join(swapped, IDX_FILES.trainImages), [3], Uint8Array.from([1, 2, 3]));
  assert.throws(() => loadFashionMnist(swapped), /should hold uint8 images \[n, rows, cols\], got uint8 \[3\]/);
});

// Runs only where Debian's dataset-fashion-mnist is installed; the suite never needs it.
test('loadFashionMnist: the Debian package files, when installed', {
  skip: !existsSync(FASHION_MNIST_DEBIAN_DIR) && `${FASHION_MNIST_DEBIAN_DIR} not installed`,
}, () => {
  const { train, test: t } = loadFashionMnist(undefined, { train: 100 });
  assert.deepEqual(train.x.shape, [100, 784]);
  assert.deepEqual(t.x.shape, [10000, 784]);
});
