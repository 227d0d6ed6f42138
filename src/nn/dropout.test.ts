import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import { ones } from '../tensor/tensor.ts';
import { dropout } from './dropout.ts';
import { checkLayerGradients } from './gradcheck.ts';

const key = random.key(4);

test('dropout: identity in eval mode and with rate 0', () => {
  const d = dropout({ name: 'drop', rate: 0.5 });
  const x = random.normal(key, [3, 4]);
  assert.equal(d.apply({}, x), x);
  assert.equal(d.apply({}, x, { training: false, key }), x);
  assert.equal(dropout({ name: 'd0', rate: 0 }).apply({}, x, { training: true }), x);
});

test('dropout: keep rate 1 − rate, inverted scaling, mean preserved', () => {
  const d = dropout({ name: 'drop', rate: 0.3 });
  const n = 20000;
  const y = d.apply({}, ones([n]), { training: true, key });
  let kept = 0;
  for (const v of y.data) {
    if (v !== 0) {
      kept++;
      assert.ok(Math.abs(v - 1 / 0.7) < 1e-15);
    }
  }
  // Binomial: σ of the kept fraction is √(0.21/n) ≈ 0.0032; allow 5σ.
  assert.ok(Math.abs(kept / n - 0.7) < 0.016, `kept fraction ${kept / n}`);
  assert.ok(d.apply({}, ones([4]), { training: true, key: random.key(1) }).data.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-15));
  assert.ok(
    dropout({ name: 'all', rate: 1 })
      .apply({}, ones([5]), { training: true, key })
      .data.every((v) => v === 0),
  );
});

test('dropout: deterministic by key; different keys and different layer names give different masks', () => {
  const x = ones([200]);
  const a = dropout({ name: 'a', rate: 0.5 });
  const mask = (layer = a, k = key) => [...layer.apply({}, x, { training: true, key: k }).data].map((v) => v !== 0);
  assert.deepEqual(mask(), mask());
  assert.notDeepEqual(mask(), mask(a, random.key(5)));
  assert.notDeepEqual(mask(), mask(dropout({ name: 'b', rate: 0.5 })));
});

test('dropout: gradient is the mask times the scale (finite differences)', () => {
  const d = dropout({ name: 'drop', rate: 0.4 });
  checkLayerGradients(d, {}, random.normal(key, [3, 5]), { ctx: { training: true, key } });
});

test('dropout: errors name the layer', () => {
  const d = dropout({ name: 'drop1', rate: 0.5 });
  assert.throws(() => d.apply({}, ones([3]), { training: true }), /dropout 'drop1': training with rate 0.5 needs ctx.key/);
  assert.throws(() => dropout({ name: 'd', rate: 1.5 }), /dropout 'd': rate must be in \[0, 1\]/);
});
