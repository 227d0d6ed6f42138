/** Derivative rules of the elementwise primitives (elementwise-primitives.ts): VJP and JVP side by side, in traced ops. */
import { cast, cos, div, greater, less, log, mul, neg, sign, sin, sub, where } from './ops.ts';
import { scaled, total, winWeight } from './rule-helpers.ts';
import { bind } from './trace.ts';
import { zerosLike } from './tensor.ts';
import type { FamilyTable, ElementwiseParams } from './primitives.ts';

export const elementwiseVjp: FamilyTable<ElementwiseParams, 'vjp'> = {
  neg: (ct) => [neg(ct)],
  exp: (ct, _x, out) => [mul(ct, out)],
  log: (ct, [x]) => [div(ct, x!)],
  sin: (ct, [x]) => [mul(ct, cos(x!))],
  cos: (ct, [x]) => [neg(mul(ct, sin(x!)))],
  tanh: (ct, _x, out) => [mul(ct, sub(1, mul(out, out)))],
  sigmoid: (ct, _x, out) => [mul(ct, mul(out, sub(1, out)))],
  sqrt: (ct, _x, out) => [div(ct, mul(out, 2))],
  abs: (ct, [x]) => [mul(ct, sign(x!))],
  sign: () => [null],
  add: (ct) => [ct, ct],
  sub: (ct, _x, _o, _p, needs) => [ct, needs[1] ? neg(ct) : null],
  mul: (ct, [a, b], _o, _p, needs) => [needs[0] ? mul(ct, b!) : null, needs[1] ? mul(ct, a!) : null],
  div: (ct, [, b], out, _p, needs) => [needs[0] ? div(ct, b!) : null, needs[1] ? neg(div(mul(ct, out), b!)) : null],
  pow: (ct, [a, b], out, _p, needs) => [
    needs[0] ? mul(ct, mul(b!, bind('pow', [a!, sub(b!, 1)], {}))) : null,
    // d/db a^b = a^b·log a, taken as 0 where a ≤ 0 (where the real power has no b-derivative).
    needs[1] ? mul(ct, where(greater(a!, 0), mul(out, log(where(greater(a!, 0), a!, 1))), 0)) : null,
  ],
  maximum: (ct, [a, b]) => {
    const w = winWeight(a!, b!, greater);
    return [mul(ct, w), mul(ct, sub(1, w))];
  },
  minimum: (ct, [a, b]) => {
    const w = winWeight(a!, b!, less);
    return [mul(ct, w), mul(ct, sub(1, w))];
  },
  compare: () => [null, null],
  select: (ct, [c]) => {
    const zero = zerosLike(ct);
    return [null, where(c!, ct, zero), where(c!, zero, ct)];
  },
  // x > 0 ? y : 0 is linear in y, and piecewise constant in x (derivative 0 almost everywhere).
  maskPositive: (ct, [x]) => [null, bind('maskPositive', [x!, ct], {})],
  cast: (ct, [x]) => [x!.dtype === 'float64' || x!.dtype === 'float32' ? cast(ct, x!.dtype) : null],
};

export const elementwiseJvp: FamilyTable<ElementwiseParams, 'jvp'> = {
  neg: ([t]) => neg(t!),
  exp: ([t], _x, out) => mul(t!, out),
  log: ([t], [x]) => div(t!, x!),
  sin: ([t], [x]) => mul(t!, cos(x!)),
  cos: ([t], [x]) => neg(mul(t!, sin(x!))),
  tanh: ([t], _x, out) => mul(t!, sub(1, mul(out, out))),
  sigmoid: ([t], _x, out) => mul(t!, mul(out, sub(1, out))),
  sqrt: ([t], _x, out) => div(t!, mul(out, 2)),
  abs: ([t], [x]) => mul(t!, sign(x!)),
  sign: () => null,
  add: ([ta, tb]) => total(ta!, tb!),
  sub: ([ta, tb]) => total(ta!, tb ? neg(tb) : null),
  mul: ([ta, tb], [a, b]) =>
    total(
      scaled(ta!, () => b!),
      scaled(tb!, () => a!),
    ),
  div: ([ta, tb], [, b], out) => total(ta ? div(ta, b!) : null, tb ? neg(div(mul(tb, out), b!)) : null),
  pow: ([ta, tb], [a, b], out) =>
    total(
      scaled(ta!, () => mul(b!, bind('pow', [a!, sub(b!, 1)], {}))),
      scaled(tb!, () => where(greater(a!, 0), mul(out, log(where(greater(a!, 0), a!, 1))), 0)),
    ),
  maximum: ([ta, tb], [a, b]) => {
    const w = winWeight(a!, b!, greater);
    return total(
      scaled(ta!, () => w),
      scaled(tb!, () => sub(1, w)),
    );
  },
  minimum: ([ta, tb], [a, b]) => {
    const w = winWeight(a!, b!, less);
    return total(
      scaled(ta!, () => w),
      scaled(tb!, () => sub(1, w)),
    );
  },
  compare: () => null,
  select: ([, ta, tb], [c, a]) => where(c!, ta ?? zerosLike(a!), tb ?? zerosLike(a!)),
  maskPositive: ([, t], [x]) => (t ? bind('maskPositive', [x!, t], {}) : null),
  cast: ([t], _x, _o, { dtype }) => (dtype === 'float64' || dtype === 'float32' ? cast(t!, dtype) : null),
};
