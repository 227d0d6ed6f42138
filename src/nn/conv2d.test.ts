import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { add } from '../tensor/ops.ts';
import type { TapSite } from './layer.ts';
import { conv2d } from './conv2d.ts';
import { checkLayerGradients } from './gradcheck.ts';
import { assertClose } from '../../test/support/test-util.ts';

const [k1, k2] = random.split(random.key(2), 2) as [random.Key, random.Key];

/** Direct NCHW cross-correlation, the definition. */
function naiveConv(x: Tensor, w: Tensor, b: Tensor, s: number[], p: number[], d: number[]): { data: number[]; shape: number[] } {
  const [n, c, h, wd] = x.shape as number[] as [number, number, number, number];
  const [o, , kh, kw] = w.shape as number[] as [number, number, number, number];
  const oh = Math.floor((h + 2 * p[0]! - d[0]! * (kh - 1) - 1) / s[0]!) + 1;
  const ow = Math.floor((wd + 2 * p[1]! - d[1]! * (kw - 1) - 1) / s[1]!) + 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    for (let f = 0; f < o; f++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          let acc = b.data[f]!;
          for (let ch = 0; ch < c; ch++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const r = y * s[0]! - p[0]! + u * d[0]!;
                const q = z * s[1]! - p[1]! + v * d[1]!;
                if (r < 0 || r >= h || q < 0 || q >= wd) continue;
                acc += x.data[((i * c + ch) * h + r) * wd + q]! * w.data[((f * c + ch) * kh + u) * kw + v]!;
              }
          out.push(acc);
        }
  return { data: out, shape: [n, o, oh, ow] };
}

test('conv2d: output shape and values match the direct definition (stride, padding, dilation)', () => {
  const l = conv2d({ name: 'c', inChannels: 2, outChannels: 3, kernel: [3, 2], stride: [2, 1], padding: [1, 2], dilation: [1, 2] });
  const p = l.init(k1) as { w: Tensor; b: Tensor };
  assert.deepEqual(p.w.shape, [3, 2, 3, 2]);
  assert.deepEqual(p.b.shape, [3]);
  const x = random.normal(k2, [2, 2, 7, 6]);
  const y = l.apply(p, x);
  const ref = naiveConv(x, p.w, p.b, [2, 1], [1, 2], [1, 2]);
  assert.deepEqual(y.shape, ref.shape);
  assertClose(y.data, ref.data, 1e-13);
  const same = conv2d({ inChannels: 1, outChannels: 4, kernel: 3, padding: 1 });
  assert.deepEqual(same.apply(same.init(k1), random.normal(k2, [5, 1, 28, 28])).shape, [5, 4, 28, 28]);
});

test('conv2d: gradients w.r.t. params and input match finite differences', () => {
  const l = conv2d({ name: 'c', inChannels: 2, outChannels: 2, kernel: 2, stride: 1, padding: 1, dilation: 1 });
  checkLayerGradients(l, l.init(k1), random.normal(k2, [2, 2, 3, 3]));
  const s = conv2d({ name: 's', inChannels: 1, outChannels: 2, kernel: 3, stride: 2, dilation: [1, 2], bias: false });
  checkLayerGradients(s, s.init(k1), random.normal(k2, [1, 1, 5, 6]));
});

test('conv2d: tap gets kind, input, pre-activation, weight, bias; its result is used', () => {
  const l = conv2d({ name: 'conv0', inChannels: 1, outChannels: 2, kernel: 3, stride: 2, padding: 1 });
  const p = l.init(k1) as { w: Tensor; b: Tensor };
  const x = random.normal(k2, [2, 1, 6, 6]);
  let site: TapSite | undefined;
  const y = l.apply(p, x, { training: true, tap: (s) => ((site = s), add(s.preActivation, 1)) });
  assert.ok(site);
  assert.deepEqual(site.kind, { type: 'conv2d', bias: true, kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1] });
  assert.equal(site.input, x);
  assert.equal(site.weight, p.w);
  assert.equal(site.bias, p.b);
  assertClose(site.preActivation, l.apply(p, x), 0);
  assertClose(y, add(l.apply(p, x), 1), 0);
});

test('conv2d: clear errors', () => {
  const l = conv2d({ name: 'conv1', inChannels: 3, outChannels: 2, kernel: 5 });
  const p = l.init(k1);
  assert.throws(() => l.apply(p, random.normal(k2, [2, 1, 8, 8])), /conv2d 'conv1': expected 3 input channels.*got \[2, 1, 8, 8\]/);
  assert.throws(() => l.apply(p, random.normal(k2, [3, 8, 8])), /conv2d 'conv1': expected input .*rank 4.*got \[3, 8, 8\]/);
  assert.throws(() => l.apply(p, random.normal(k2, [1, 3, 4, 8])), /conv2d 'conv1': input \[1, 3, 4, 8\] is smaller than the \(dilated\) kernel 5×5/);
  assert.throws(() => conv2d({ name: 'bad', inChannels: 1, outChannels: 1, kernel: 3, stride: 0 }), /conv2d 'bad': stride must be an integer ≥ 1/);
});
