/** Mean losses on the model's [n] output: squared error (½ not included) and logistic loss for labels ±1. */
import type { Tensor } from '../../tensor/tensor.ts';
import { abs, add, exp, log, mean, mul, neg, sub } from '../../tensor/ops.ts';
import { relu } from '../../tensor/composed.ts';

export const squaredLoss = (out: Tensor, y: Tensor): Tensor => {
  const r = sub(out, y);
  return mean(mul(r, r));
};

/** log(1 + e^{−y·f}) written stably: relu(−z) + log(1 + e^{−|z|}). */
export const logisticLoss = (out: Tensor, y: Tensor): Tensor => {
  const z = mul(out, y);
  return mean(add(relu(neg(z)), log(add(exp(neg(abs(z))), 1))));
};
