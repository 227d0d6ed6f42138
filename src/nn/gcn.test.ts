import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import { Tensor, tensor } from '../tensor/tensor.ts';
import { add, matmul } from '../tensor/ops.ts';
import type { TapSite } from './layer.ts';
import { gcnLayer, normalizeAdjacency } from './gcn.ts';
import { sequential } from './sequential.ts';
import { relu } from './activations.ts';
import { checkLayerGradients } from './gradcheck.ts';
import { assertClose } from '../../test/support/test-util.ts';

const [k1, k2] = random.split(random.key(8), 2) as [random.Key, random.Key];
// Path graph 0 – 1 – 2 plus an isolated node 3.
const A = tensor([
  [0, 1, 0, 0],
  [1, 0, 1, 0],
  [0, 1, 0, 0],
  [0, 0, 0, 0],
]);

test('normalizeAdjacency: D^{-1/2}(A + I)D^{-1/2} on a small graph', () => {
  const h = normalizeAdjacency(A);
  // degrees of A + I: 2, 3, 2, 1
  const s = Math.sqrt;
  assertClose(h.data, [1 / 2, 1 / s(6), 0, 0, 1 / s(6), 1 / 3, 1 / s(6), 0, 0, 1 / s(6), 1 / 2, 0, 0, 0, 0, 1], 1e-15);
  // symmetric with largest eigenvalue 1: Â·D^{1/2}1 = D^{1/2}1
  const d = tensor([[s(2)], [s(3)], [s(2)], [1]]);
  assertClose(matmul(h, d), d, 1e-15);
  assert.throws(() => normalizeAdjacency(tensor([[0, 1, 0]])), /normalizeAdjacency: expected a square adjacency \[n, n\], got \[1, 3\]/);
  assert.throws(() => normalizeAdjacency(A, { selfLoops: false }), /node 3 has degree 0/);
});

test('gcnLayer: Â·X·W + b, shapes, both multiplication orders agree', () => {
  const aHat = normalizeAdjacency(A);
  const wide = gcnLayer({ name: 'g0', in: 5, out: 2, adjacency: aHat });
  const p = wide.init(k1) as { w: Tensor; b: Tensor };
  assert.deepEqual(p.w.shape, [5, 2]);
  assert.ok(
    p.b.data.every((v) => v === 0),
    'bias starts at zero (Kipf & Welling)',
  );
  const pb = { w: p.w, b: random.normal(k2, [2]) };
  const x = random.normal(k2, [4, 5]);
  const y = wide.apply(pb, x);
  assert.deepEqual(y.shape, [4, 2]);
  assertClose(y, add(matmul(matmul(aHat, x), pb.w), pb.b), 1e-14);
  // tapped path computes (ÂX)W: same values
  assertClose(wide.apply(pb, x, { training: true, tap: (s) => s.preActivation }), y, 1e-14);
  const narrow = gcnLayer({ in: 2, out: 3, bias: false, adjacency: aHat });
  const pn = narrow.init(k1) as { w: Tensor };
  assertClose(narrow.apply(pn, y), matmul(aHat, matmul(y, pn.w)), 1e-14);
});

test('gcnLayer: explicit adjacency (propagate, withAdjacency) and use in sequential', () => {
  const g = gcnLayer({ name: 'g', in: 3, out: 2 });
  const p = g.init(k1);
  const x = random.normal(k2, [4, 3]);
  assert.throws(() => g.apply(p, x), /gcn 'g': no adjacency bound/);
  const aHat = normalizeAdjacency(A);
  const bound = g.withAdjacency(aHat);
  assert.equal(bound.name, 'g');
  assertClose(bound.apply(p, x), g.propagate(p, x, aHat), 0);
  const net = sequential('gnn', [gcnLayer({ name: 'g1', in: 3, out: 4, adjacency: aHat }), relu(), gcnLayer({ name: 'g2', in: 4, out: 2, adjacency: aHat })]);
  assert.deepEqual(net.apply(net.init(k1), x).shape, [4, 2]);
});

test('gcnLayer: gradients w.r.t. params and features; tap as a linear layer on ÂX', () => {
  const aHat = normalizeAdjacency(A);
  const g = gcnLayer({ name: 'g', in: 3, out: 2, adjacency: aHat });
  const p = { w: random.normal(k1, [3, 2]), b: random.normal(k2, [2]) };
  const x = random.normal(k2, [4, 3]);
  checkLayerGradients(g, p, x);
  checkLayerGradients(
    gcnLayer({ name: 'h', in: 2, out: 3, adjacency: aHat }),
    { w: random.normal(k1, [2, 3]), b: random.normal(k2, [3]) },
    random.normal(k1, [4, 2]),
  );
  let site: TapSite | undefined;
  g.apply(p, x, { training: true, tap: (s) => ((site = s), s.preActivation) });
  assert.deepEqual(site!.kind, { type: 'linear', bias: true });
  assertClose(site!.input, matmul(aHat, x), 1e-15);
  assert.equal(site!.weight, p.w);
});

test('gcnLayer: clear errors', () => {
  const g = gcnLayer({ name: 'g', in: 3, out: 2, adjacency: normalizeAdjacency(A) });
  const p = g.init(k1);
  assert.throws(() => g.apply(p, random.normal(k2, [4, 5])), /gcn 'g': expected node features \[nodes, 3\], got \[4, 5\]/);
  assert.throws(() => g.apply(p, random.normal(k2, [5, 3])), /gcn 'g': adjacency must be \[5, 5\] for 5 nodes, got \[4, 4\]/);
  assert.throws(() => gcnLayer({ name: 'g', in: 3, out: 2, adjacency: new Tensor(new Float64Array(6), [2, 3]) }), /gcn 'g': adjacency must be a square/);
});
