/** saveTree/loadTree against a skeleton, encodeTree's refusals, and the safetensors format byte by byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor, type Tensor } from '../tensor/tensor.ts';
import * as random from '../tensor/random.ts';
import { encodeTree } from './serialize.ts';
import { loadTree, saveTree } from './tree-io.ts';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, readSafetensors, saveSafetensors } from './safetensors.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'trainscope-tree-'));
type Params = { layers: [{ w: Tensor; b: Tensor }, { w: Tensor; mask: Tensor }] };
const params = (): Params => ({
  layers: [
    {
      w: tensor([
        [1.5, -0, NaN],
        [Infinity, 1e-310, -2],
      ]),
      b: tensor([0.1, 0.2, 0.3], { dtype: 'float32' }),
    },
    { w: tensor([[7], [8], [9]], { dtype: 'int32' }), mask: tensor([true, false, true], { dtype: 'bool' }) },
  ],
});
const bits = (t: { data: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } }): number[] => [
  ...new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
];

test('saveTree → loadTree round-trips tensors bit for bit, with scalars and keys', () => {
  const path = join(tmp(), 'state.json');
  const tree = { params: params(), step: 12, name: 'adam', key: random.key(3), lr: Infinity };
  saveTree(path, tree);
  const back = loadTree(path, tree);
  assert.equal(back.step, 12);
  assert.equal(back.lr, Infinity);
  assert.deepEqual([...back.key], [...tree.key]);
  for (const i of [0, 1] as const) {
    for (const [k, t] of Object.entries(tree.params.layers[i]!)) {
      const b = (back.params.layers[i] as Record<string, typeof t>)[k]!;
      assert.equal(b.dtype, t.dtype);
      assert.deepEqual(b.shape, t.shape);
      assert.deepEqual(bits(b), bits(t), `layers[${i}].${k}`);
    }
  }
});

test('loadTree names the first path where the file and the skeleton differ', () => {
  const path = join(tmp(), 'p.json');
  saveTree(path, params());
  const skel = params();
  const wrongShape = {
    layers: [
      {
        ...skel.layers[0],
        w: tensor([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
      },
      skel.layers[1],
    ],
  };
  assert.throws(() => loadTree(path, wrongShape), /does not match the skeleton at layers\[0\]\.w: shape \[2, ?3\], expected \[3, ?2\]/);
  const wrongDtype = { layers: [{ ...skel.layers[0], b: tensor([0.1, 0.2, 0.3]) }, skel.layers[1]] };
  assert.throws(() => loadTree(path, wrongDtype), /at layers\[0\]\.b: dtype float32, expected float64/);
  const extraKey = { layers: [{ ...skel.layers[0], gamma: tensor([1]) }, skel.layers[1]] };
  assert.throws(() => loadTree(path, extraKey), /at layers\[0\]\.gamma: missing/);
  const fewer = { layers: [{ w: skel.layers[0].w }, skel.layers[1]] };
  assert.throws(() => loadTree(path, fewer), /at layers\[0\]\.b: not in the skeleton/);
  assert.throws(() => loadTree(path, { layers: [skel.layers[0]] }), /at layers: expected an array of 1, found an array of 2/);
  assert.throws(() => loadTree(join(tmp(), 'missing.json'), skel), /loadTree .*missing\.json: cannot read it \(ENOENT\)/);
});

test('encodeTree refuses what it cannot round-trip, naming the path', () => {
  class Box {
    v = 1;
  }
  const cases: [unknown, RegExp][] = [
    [{ a: { m: new Map() } }, /cannot serialize a Map at a\.m/],
    [{ s: [new Set([1])] }, /cannot serialize a Set at s\[0\]/],
    [{ buf: new Float64Array(2) }, /cannot serialize a Float64Array .*at buf/],
    [{ xs: [1, undefined, 3] }, /cannot serialize undefined at xs\[1\]/],
    // eslint-disable-next-line no-sparse-arrays
    [{ xs: [1, , 3] }, /cannot serialize undefined at xs\[1\]/],
    [{ f: () => 1 }, /cannot serialize a function at f/],
    [{ opt: { box: new Box() } }, /cannot serialize an instance of Box .*at opt\.box/],
    [new Date(0), /cannot serialize an instance of Date .*at \(root\)/],
  ];
  for (const [value, re] of cases) assert.throws(() => encodeTree(value), re);
  const path = join(tmp(), 'bad.json');
  assert.throws(() => saveTree(path, { state: new Map() }), /at state/);
  // Still fine: plain objects (also null-prototype), keys, undefined object fields (skipped, as JSON does).
  assert.deepEqual(encodeTree({ a: undefined, b: Object.assign(Object.create(null), { c: 1 }), k: random.key(1) }), { b: { c: 1 }, k: [0, 1] });
});

test('safetensors: the header is an 8-byte LE length, padded JSON, dtype/shape/data_offsets, dotted names', () => {
  const tree = {
    layers: [{ w: tensor([1, 2], { dtype: 'float32' }) }],
    scale: tensor([[0.5]]),
    n: tensor([3], { dtype: 'int32' }),
    on: tensor([true, false], { dtype: 'bool' }),
  };
  const bytes = encodeSafetensors(tree, { framework: 'trainscope' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0, 'header padded to 8 bytes');
  const headerText = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
  assert.match(headerText, /^\{.*\} *$/);
  const header = JSON.parse(headerText);
  assert.deepEqual(header, {
    __metadata__: { framework: 'trainscope' },
    'layers.0.w': { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    n: { dtype: 'I32', shape: [1], data_offsets: [8, 12] },
    on: { dtype: 'BOOL', shape: [2], data_offsets: [12, 14] },
    scale: { dtype: 'F64', shape: [1, 1], data_offsets: [14, 22] },
  });
  // The data, little-endian: float32 1 and 2, int32 3, bools, float64 0.5.
  assert.deepEqual([...bytes.subarray(8 + n)], [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f]);
  assert.equal(bytes.length, 8 + n + 22);
});

test('safetensors: save → read → load round-trips, and the reader checks the file', () => {
  const dir = tmp();
  const path = join(dir, 'params.safetensors');
  const p = params();
  saveSafetensors(path, p);
  const { tensors, metadata } = readSafetensors(path);
  assert.equal(metadata, undefined);
  assert.deepEqual(Object.keys(tensors), ['layers.0.b', 'layers.0.w', 'layers.1.mask', 'layers.1.w']);
  const back = loadSafetensors(path, p);
  assert.deepEqual(bits(back.layers[0]!.w), bits(p.layers[0]!.w));
  assert.deepEqual(bits(back.layers[1]!.mask), bits(p.layers[1]!.mask));
  assert.throws(() => loadSafetensors(path, { ...p, extra: tensor([1]) }), /no tensor 'extra' in the file/);
  assert.throws(
    () => loadSafetensors(path, { layers: [p.layers[0], { ...p.layers[1], w: tensor([[1], [2], [3]]) }] }),
    /at layers\[1\]\.w: dtype int32, expected float64/,
  );

  const good = readFileSync(path);
  const withHeader = (h: unknown, data: number[]): Uint8Array => {
    const json = Buffer.from(JSON.stringify(h));
    const out = Buffer.alloc(8 + json.length + data.length);
    out.writeBigUInt64LE(BigInt(json.length), 0);
    json.copy(out, 8);
    Buffer.from(data).copy(out, 8 + json.length);
    return out;
  };
  assert.throws(() => decodeSafetensors(good.subarray(0, 5)), /only 5 bytes/);
  assert.throws(() => decodeSafetensors(good.subarray(0, 20)), /header length \d+ does not fit/);
  assert.throws(() => decodeSafetensors(withHeader({ a: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, [0, 0])), /tensor 'a' has dtype "F16"/);
  assert.throws(
    () => decodeSafetensors(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0])),
    /4 bytes for F32 \[2\], which needs 8/,
  );
  assert.throws(() => decodeSafetensors(withHeader({ a: { dtype: 'BOOL', shape: [1], data_offsets: [1, 2] } }, [0, 1])), /starts at byte 1, expected 0/);
  assert.throws(() => decodeSafetensors(withHeader({ a: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, [1, 0])), /1 data bytes after the last tensor/);
  // A foreign file with an unpadded header (unaligned data) still reads.
  const odd = decodeSafetensors(withHeader({ x: { dtype: 'F64', shape: [], data_offsets: [0, 8] } }, [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]));
  assert.equal(odd.tensors['x']!.item(), 1);
});
