import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { matmul } from '../tensor/ops.ts';
import { stopGradient } from '../tensor/transforms.ts';
import type { Layer } from './layer.ts';
import { linear } from './linear.ts';
import { checkLayerGradients } from './gradcheck.ts';

test('checkLayerGradients: accurate on a correct layer, catches a wrong gradient', () => {
  const [k1, k2] = random.split(random.key(9), 2) as [random.Key, random.Key];
  const l = linear({ name: 'fc', in: 4, out: 3 });
  const r = checkLayerGradients(l, l.init(k1), random.normal(k2, [5, 4]));
  assert.equal(r.checked, 15 + 20);
  assert.ok(r.maxRelErr < 1e-8, `Richardson-extrapolated differences should be ~1e-10 accurate, worst ${r.maxRelErr} at ${r.worst}`);
  // A layer whose weight gradient is silently dropped must be caught.
  const broken: Layer<{ w: Tensor }> = { name: 'broken', init: (k) => ({ w: random.normal(k, [4, 3]) }), apply: (p, x) => matmul(x, stopGradient(p.w)) };
  assert.throws(
    () => checkLayerGradients(broken, broken.init(k1), random.normal(k2, [2, 4])),
    /checkLayerGradients 'broken': 12 of 20 entries differ.*w\[0\]/s,
  );
});
