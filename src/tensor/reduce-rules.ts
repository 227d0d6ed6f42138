/** Derivative rules of the reduce primitives (reduce-primitives.ts): VJP and JVP side by side, in traced ops. */
import { broadcastTo, cast, div, equal, mul, reshape, sum } from './ops.ts';
import { keptShape, linear, softmaxJacobianProduct } from './rule-helpers.ts';
import { bind } from './trace.ts';
import type { FamilyTable, ReduceParams } from './primitives.ts';

export const reduceVjp: FamilyTable<ReduceParams, 'vjp'> = {
  softmaxCrossEntropy: (ct, [logits, labels]) => [mul(ct, bind('softmaxCrossEntropyGrad', [logits!, labels!], {})), null],
  softmaxCrossEntropyGrad: (ct, [logits]) => [softmaxJacobianProduct(logits!, ct), null],
  sum: (ct, [x], _o, { axes }) => [broadcastTo(reshape(ct, keptShape(x!.shape, axes)), x!.shape)],
  max: (ct, [x], out, { axes }) => {
    // Split the cotangent evenly among tied maxima.
    const kept = keptShape(x!.shape, axes);
    const mask = cast(equal(x!, broadcastTo(reshape(out, kept), x!.shape)), x!.dtype);
    const share = div(ct, sum(mask, axes));
    return [mul(mask, broadcastTo(reshape(share, kept), x!.shape))];
  },
  argmax: () => [null],
};

export const reduceJvp: FamilyTable<ReduceParams, 'jvp'> = {
  softmaxCrossEntropy: ([t], [logits, labels]) => sum(mul(t!, bind('softmaxCrossEntropyGrad', [logits!, labels!], {}))),
  softmaxCrossEntropyGrad: ([t], [logits]) => softmaxJacobianProduct(logits!, t!),
  sum: linear('sum'),
  max: ([t], [x], out, { axes }) => {
    const kept = keptShape(x!.shape, axes);
    const mask = cast(equal(x!, broadcastTo(reshape(out, kept), x!.shape)), x!.dtype);
    return div(sum(mul(t!, mask), axes), sum(mask, axes));
  },
  argmax: () => null,
};
