import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key, split } from '../tensor/prng.ts';
import { normal, randint } from '../tensor/random.ts';
import { grad, hessian } from '../tensor/transforms.ts';
import { reshape, slice } from '../tensor/ops.ts';
import { softmaxCrossEntropy } from '../tensor/composed.ts';
import { Tensor } from '../tensor/tensor.ts';
import { treeFlatten } from '../tensor/tree.ts';
import type { SequentialParams } from '../nn/sequential.ts';
import { mlp } from '../nn/mlp.ts';
import { treeLayout } from './flat.ts';
import { fullBatchHessianOperator, hessianOperator, type ExamplesLike } from './hessian-operator.ts';
import { lanczos } from './lanczos.ts';
import { denseMatrix, denseSpectrum } from './dense.ts';
import { maxRelErr, sorted } from './test-util.ts';

const model = mlp({ sizes: [5, 7, 3], activation: 'tanh' });
const [kp, kx, ky] = split(key(42), 3);
const params = model.init(kp!);
const data: ExamplesLike = { x: normal(kx!, [24, 5]), y: randint(ky!, 0, 3, [24]) };
const loss = (p: SequentialParams, b: ExamplesLike): Tensor => softmaxCrossEntropy(model.apply(p, b.x), b.y);

test('treeLayout: flatten/unflatten round trip, in the order grad returns leaves', () => {
  const layout = treeLayout(params);
  assert.equal(layout.size, 5 * 7 + 7 + 7 * 3 + 3);
  const flat = layout.flatten(params);
  const back = layout.unflatten(flat);
  const a = treeFlatten(params);
  const b = treeFlatten(back);
  assert.deepEqual(b.paths, a.paths);
  a.leaves.forEach((x, i) => assert.deepEqual(Array.from(b.leaves[i]!.data), Array.from(x.data)));
  // grad's tree flattens to the same vector positions as the parameters it belongs to.
  const g = grad((p: SequentialParams) => loss(p, data))(params);
  const gFlat = layout.flatten(g);
  const gLeaves = treeFlatten(g);
  assert.deepEqual(gLeaves.paths, a.paths);
  assert.equal(gFlat[layout.offsets[1]!], Number(gLeaves.leaves[1]!.data[0]));
  assert.throws(() => layout.unflatten(new Float64Array(3)), /treeLayout.unflatten: expected a vector of length 66, got 3/);
});

test('hessianOperator: dense by HVP columns equals hessian() (jacobian of grad) of the flat loss', () => {
  const op = hessianOperator(loss, params, data);
  const { matrix, asymmetry } = denseMatrix(op);
  assert.ok(asymmetry < 1e-12, `asymmetry ${asymmetry}`);
  const layout = op.layout;
  // The same loss as a function of one flat tensor: slice it back into leaves (differentiably).
  const flatLoss = (x: Tensor): Tensor => {
    const leaves = layout.shapes.map((shape, i) => {
      const o = layout.offsets[i]!;
      const len = shape.reduce((a, b) => a * b, 1);
      return reshape(slice(x, [o], [o + len]), shape);
    });
    return loss(treeFlatten(params).unflatten(leaves), data);
  };
  const h = hessian(flatLoss)(new Tensor(layout.flatten(params), [layout.size], 'float64'));
  let maxErr = 0;
  let maxAbs = 0;
  for (let i = 0; i < matrix.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(matrix[i]! - Number(h.data[i])));
    maxAbs = Math.max(maxAbs, Math.abs(matrix[i]!));
  }
  assert.ok(maxErr < 1e-13 * maxAbs, `${maxErr} vs ${maxAbs}`);
});

test('lanczos top-k and bottom-k of a small network Hessian equal dense eigh to 1e-8 relative', () => {
  const op = hessianOperator(loss, params, data);
  const exact = sorted(denseSpectrum(op).values);
  const r = lanczos(op, { key: key(1), largest: 5, smallest: 3, vectors: true, checkSymmetric: true });
  assert.ok(r.converged);
  assert.ok(maxRelErr(r.largest.values, exact.slice(-5).reverse()) < 1e-8, `${r.largest.values} vs ${exact.slice(-5).reverse()}`);
  assert.ok(maxRelErr(r.smallest.values, exact.slice(0, 3), 1e-3 * exact.at(-1)!) < 1e-8);
  for (const x of r.largest.vectorResiduals!) assert.ok(x < 1e-7 * r.normEstimate, `explicit residual ${x}`);
  // The Ritz vector unflattens into a parameter-shaped tree.
  const v = op.layout.unflatten(r.largest.vectors![0]!);
  assert.deepEqual(treeFlatten(v).paths, treeFlatten(params).paths);
});

test('fullBatchHessianOperator: chunks weighted by size give the Hessian of the whole-batch mean loss', () => {
  const whole = hessianOperator(loss, params, data);
  const chunked = fullBatchHessianOperator(loss, params, data, { chunkSize: 10 }); // 10 + 10 + 4 rows
  const v = Float64Array.from({ length: whole.size }, (_, i) => Math.sin(i + 1));
  const a = whole.matvec(v);
  const b = chunked.matvec(v);
  assert.ok(maxRelErr(b, a, 1e-3) < 1e-12);
  assert.throws(() => fullBatchHessianOperator(loss, params, data, { chunkSize: 0 }), /fullBatchHessianOperator: chunkSize must be a positive integer/);
});
