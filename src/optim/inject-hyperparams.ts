/**
 * optax's `inject_hyperparams`: the hyperparameters live in the optimizer state, so they are
 * checkpointed, logged by the trainer (every loss record carries them) and can be changed between
 * steps by editing the state (e.g. a learning-rate drop decided by a hook). A hyperparameter given
 * as a schedule is re-evaluated every step and wins over the state; a number is read from the
 * state, so an edit sticks.
 *
 *   const opt = injectHyperparams((h) => adam(h.learningRate), { learningRate: schedules.cosine(1e-3, 1000) });
 */
import type { GradientTransformation } from './transform.ts';
import type { Schedule } from './schedules.ts';

export interface InjectedState<H extends Record<string, number>, S = unknown> {
  hyperparams: H;
  inner: S;
}

export function injectHyperparams<H extends Record<string, number>>(
  factory: (hyperparams: H) => GradientTransformation<any>,
  hyperparams: { readonly [K in keyof H]: number | Schedule },
): GradientTransformation<InjectedState<H>> {
  if (typeof factory !== 'function') throw new Error('injectHyperparams: factory must be a function (hyperparams) => GradientTransformation');
  const names = Object.keys(hyperparams ?? {}) as (keyof H & string)[];
  if (names.length === 0) throw new Error('injectHyperparams: give at least one hyperparameter');
  for (const n of names) {
    const v = hyperparams[n];
    if (typeof v !== 'function' && !(typeof v === 'number' && Number.isFinite(v)))
      throw new Error(`injectHyperparams: hyperparameter '${n}' must be a finite number or a schedule, got ${String(v)}`);
  }
  const valuesAt = (step: number, current?: H): H => {
    const out = {} as Record<string, number>;
    for (const n of names) {
      const v = hyperparams[n];
      const x = typeof v === 'function' ? v(step) : (current?.[n] ?? v);
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`injectHyperparams: hyperparameter '${n}' is ${String(x)} at step ${step}`);
      out[n] = x;
    }
    return out as H;
  };
  let cached: { key: string; t: GradientTransformation<any> } | undefined;
  const build = (h: H): GradientTransformation<any> => {
    const key = JSON.stringify(names.map((n) => h[n]));
    if (cached?.key !== key) cached = { key, t: factory(h) };
    return cached.t;
  };
  const first = build(valuesAt(0));
  return {
    name: `injectHyperparams(${first.name})`,
    ...(first.needs ? { needs: first.needs } : {}),
    init: (params) => {
      const h = valuesAt(0);
      return { hyperparams: h, inner: build(h).init(params) };
    },
    update(grads, state, ctx) {
      if (!state || typeof state.hyperparams !== 'object') throw new Error('injectHyperparams: state must be { hyperparams, inner }');
      const h = valuesAt(ctx.step, state.hyperparams);
      const [updates, inner] = build(h).update(grads, state.inner, ctx);
      return [updates, { hyperparams: h, inner }];
    },
  };
}

/**
 * The injected hyperparameters found in an optimizer state: at its top level or anywhere inside
 * (a chain's array, multiSteps' `inner`, a masked subtree), the first found; undefined if none.
 */
export function injectedHyperparams(optState: unknown): Record<string, number> | undefined {
  const isInjected = (s: object): s is InjectedState<Record<string, number>> =>
    'hyperparams' in s &&
    'inner' in s &&
    typeof s.hyperparams === 'object' &&
    s.hyperparams !== null &&
    Object.values(s.hyperparams).every((v) => typeof v === 'number');
  const find = (s: unknown, depth: number): Record<string, number> | undefined => {
    if (s === null || typeof s !== 'object' || depth > 8 || ArrayBuffer.isView(s) || !(Array.isArray(s) || Object.getPrototypeOf(s) === Object.prototype))
      return undefined;
    if (!Array.isArray(s) && isInjected(s)) return { ...s.hyperparams };
    for (const v of Array.isArray(s) ? s : Object.values(s)) {
      const found = find(v, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return find(optState, 0);
}
