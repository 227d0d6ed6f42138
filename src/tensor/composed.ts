/**
 * Operations composed from primitives: differentiable to any order for free, and the
 * derivative needs no rule of its own. Losses take the mean over the batch.
 */
import { fmt } from './shape.ts';
import { Tensor, arange } from './tensor.ts';
import { stopGradient } from './tree.ts';
import { bind } from './trace.ts';
import { abs, add, cast, equal, exp, greater, log, max, mean, mul, neg, pow, reshape, sub, sum, tanh, where } from './ops.ts';

/** log Σ exp(x) along `axis`, shifted by the (constant) max for stability. */
export function logsumexp(x: Tensor, axis = -1, opts: { keepdims?: boolean } = {}): Tensor {
  const m = stopGradient(max(x, axis, { keepdims: true }));
  const out = add(log(sum(exp(sub(x, m)), axis, { keepdims: true })), m);
  return opts.keepdims
    ? out
    : reshape(
        out,
        out.shape.filter((_, i) => i !== (axis < 0 ? axis + x.rank : axis)),
      );
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return sub(x, logsumexp(x, axis, { keepdims: true }));
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return exp(logSoftmax(x, axis));
}

/** One-hot float encoding of int32 labels: shape [...labels.shape, numClasses]. */
export function oneHot(labels: Tensor, numClasses: number, dtype: 'float64' | 'float32' = 'float64'): Tensor {
  if (labels.dtype !== 'int32') throw new Error(`oneHot: labels must be int32, got ${labels.dtype}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  checkLabels('oneHot', labels, numClasses);
  const classes = arange(0, numClasses, 1, 'int32');
  return cast(equal(reshape(labels, [...labels.shape, 1]), classes), dtype);
}

function checkLabels(op: string, labels: Tensor, numClasses: number): void {
  const d = labels.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i]! < 0 || d[i]! >= numClasses) throw new Error(`${op}: label ${d[i]} at index ${i} is out of range [0, ${numClasses})`);
  }
}

/** Mean cross-entropy of logits [batch, classes] against int32 labels [batch]. */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [batch, classes], got ${fmt(logits.shape)}`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(`softmaxCrossEntropy: labels ${fmt(labels.shape)} do not match logits ${fmt(logits.shape)} (expected [${logits.shape[0]}])`);
  }
  if (labels.dtype !== 'int32') throw new Error(`softmaxCrossEntropy: labels must be int32, got ${labels.dtype}`);
  if (logits.dtype !== 'float64' && logits.dtype !== 'float32') throw new Error(`softmaxCrossEntropy: logits must be float, got ${logits.dtype}`);
  if (logits.shape[0] === 0) throw new Error('softmaxCrossEntropy: empty batch (logits [0, C]): the mean is undefined');
  checkLabels('softmaxCrossEntropy', labels, logits.shape[1]!);
  // One fused primitive (its own VJP/JVP rules, differentiable to any order).
  return bind('softmaxCrossEntropy', [logits, labels], {});
}

/** Mean squared error over all elements. */
export function mse(pred: Tensor, target: Tensor): Tensor {
  if (pred.shape.join() !== target.shape.join()) throw new Error(`mse: prediction ${fmt(pred.shape)} and target ${fmt(target.shape)} differ in shape`);
  const d = sub(pred, target);
  return mean(mul(d, d));
}

/** max(x, 0) with derivative 0 at 0 (as PyTorch). */
export const relu = (x: Tensor): Tensor => {
  if (!(x instanceof Tensor)) throw new Error(`relu: expected a Tensor, got ${typeof x}`);
  if (x.dtype !== 'float64' && x.dtype !== 'float32') throw new Error(`relu: needs a float tensor, got ${x.dtype}`);
  return bind('maskPositive', [x, x], {});
};

export const leakyRelu = (x: Tensor, slope = 0.01): Tensor => where(greater(x, 0), x, mul(x, slope));

/** log(1 + eˣ), stable for large |x|. */
export const softplus = (x: Tensor): Tensor => add(relu(x), log(add(exp(neg(abs(x))), 1)));

/** GELU, tanh approximation (PyTorch's approximate='tanh'): ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function gelu(x: Tensor): Tensor {
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}
