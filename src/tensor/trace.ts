/**
 * The autodiff machinery: nested transform levels, `bind` (run a primitive and trace it),
 * and the reverse sweep.
 *
 * Every active transform (a `grad`, a `jvp`, …) is a level with a unique id on a stack.
 * Tensors record which reverse levels they depend on (`_rev` + a graph `_node`) and their
 * forward tangents per level (`_tan`). Rules are written in traced primitives, so the
 * backward sweep of an inner level is itself recorded by the outer levels: derivatives
 * nest to any order. A JVP rule for level L runs with the levels from L upward hidden
 * (the `ceiling`), like JAX's lowering of a tracer to its primal: tangents of L never
 * carry perturbations of L or of inner levels, which keeps nesting exact and cheap.
 */
import { isFloat } from './dtype.ts';
import { fmt, shapesEqual } from './shape.ts';
import { Tensor, type Node } from './tensor.ts';
import { impls, type JvpRule, type Prim, type PrimParams, type VjpRule } from './primitives.ts';

type LevelKind = 'reverse' | 'forward';
interface Level {
  readonly id: number;
  readonly kind: LevelKind;
}

const stack: Level[] = [];
let ceiling = Infinity;
let visibleRev: number[] = [];
let visibleFwd: Level[] = [];
let nextLevelId = 1;
let nextSeq = 0;
let checkFiniteOn = false;

/** The derivative rule tables, handed over by registerRules (transforms.ts does, on import). */
interface RuleTables {
  vjp: { [P in Prim]: VjpRule<P> };
  jvp: { [P in Prim]: JvpRule<P> };
}
let rules: RuleTables | undefined;

/** Hands the tracer its rule tables (JAX registers rules beside primitives; ours are whole typed tables). */
export function registerRules(vjp: RuleTables['vjp'], jvp: RuleTables['jvp']): void {
  rules = { vjp, jvp };
}

function ruleTables(): RuleTables {
  if (!rules) throw new Error('internal: no derivative rules registered (import tensor/transforms.ts, which registers tensor/rules.ts)');
  return rules;
}

function refresh(): void {
  const shown = stack.slice(0, Math.min(stack.length, ceiling));
  visibleRev = shown.filter((l) => l.kind === 'reverse').map((l) => l.id);
  visibleFwd = shown.filter((l) => l.kind === 'forward');
}

/** When on, every primitive checks its output for NaN/±Infinity and throws naming the op. */
export function setCheckFinite(on: boolean): void {
  checkFiniteOn = on;
}

export function getCheckFinite(): boolean {
  return checkFiniteOn;
}

export function pushLevel(kind: LevelKind): Level {
  const level = { id: nextLevelId++, kind };
  stack.push(level);
  refresh();
  return level;
}

export function popLevel(level: Level): void {
  const i = stack.lastIndexOf(level);
  if (i >= 0) stack.splice(i, 1);
  refresh();
}

function withCeiling<T>(c: number, fn: () => T): T {
  const saved = ceiling;
  ceiling = c;
  refresh();
  try {
    return fn();
  } finally {
    ceiling = saved;
    refresh();
  }
}

/** Run a primitive on concrete data and record it for every visible transform level. */
export function bind<P extends Prim>(prim: P, inputs: readonly Tensor[], params: PrimParams[P]): Tensor {
  const out = impls[prim](inputs, params);
  if (checkFiniteOn) assertFiniteOutput(prim, inputs, out);
  if ((visibleRev.length === 0 && visibleFwd.length === 0) || !isFloat(out.dtype)) return out;

  let rev: number[] | undefined;
  for (const x of inputs) {
    if (!x._rev) continue;
    for (const id of x._rev) if (visibleRev.includes(id) && !rev?.includes(id)) (rev ??= []).push(id);
  }
  if (rev) {
    out._rev = rev;
    out._node = { prim, inputs, params, out, seq: nextSeq++ };
  }

  for (const level of visibleFwd) {
    let any = false;
    const tangents = inputs.map((x) => {
      const t = x._tan?.get(level.id);
      if (t) any = true;
      return t ?? null;
    });
    if (!any) continue;
    const t = withCeiling(stack.indexOf(level), () => ruleTables().jvp[prim](tangents, inputs, out, params));
    if (t) (out._tan ??= new Map()).set(level.id, checkRuleOutput('JVP', prim, expandToOutput(t, out), out));
  }
  return out;
}

/*
 * Binary elementwise primitives accept a short operand (a scalar, or the other's trailing
 * dimensions; see primitives.ts), so a rule's result can be short where the output is not (JVP:
 * only the short operand's tangent was non-zero) or full-shaped where the input is short (VJP):
 * broadcast or sum it here.
 */
function expandToOutput(t: Tensor, out: Tensor): Tensor {
  return t.size !== out.size ? bind('broadcastTo', [t], { shape: [...out.shape] }) : t;
}

/** Sum `ct` down to `shape` (the transpose of a NumPy broadcast), in primitives. */
export function sumToShape(ct: Tensor, shape: readonly number[]): Tensor {
  const lead = ct.rank - shape.length;
  const axes = ct.shape.flatMap((d, i) => (i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : []));
  const s = axes.length ? bind('sum', [ct], { axes }) : ct;
  return shapesEqual(s.shape, shape) ? s : bind('reshape', [s], { shape: [...shape] });
}

function reduceToInput(g: Tensor, x: Tensor): Tensor {
  return g.size !== x.size ? sumToShape(g, x.shape) : g;
}

function checkRuleOutput(kind: string, prim: string, t: Tensor, like: Tensor): Tensor {
  if (!shapesEqual(t.shape, like.shape) || t.dtype !== like.dtype) {
    throw new Error(`internal: ${kind} rule of ${prim} returned ${t.dtype} ${fmt(t.shape)} for a ${like.dtype} ${fmt(like.shape)} value`);
  }
  return t;
}

function assertFiniteOutput(prim: string, inputs: readonly Tensor[], out: Tensor): void {
  if (!isFloat(out.dtype)) return;
  const d = out.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      const shapes = inputs.map((x) => fmt(x.shape)).join(', ');
      throw new Error(`${prim}: non-finite value ${d[i]} at flat index ${i} of its ${fmt(out.shape)} output (inputs ${shapes}; checkFinite is on)`);
    }
  }
}

/** A fresh tensor sharing `x`'s data and its traces at the visible levels (for seeding a new level). */
function linkedCopy(x: Tensor): Tensor {
  const v = new Tensor(x.data, x.shape, x.dtype);
  const rev = x._rev?.filter((id) => visibleRev.includes(id));
  if (rev && rev.length > 0) {
    v._rev = rev;
    v._node = { prim: 'identity', inputs: [x], params: null, out: v, seq: nextSeq++ };
  }
  for (const level of visibleFwd) {
    const t = x._tan?.get(level.id);
    if (t) (v._tan ??= new Map()).set(level.id, t);
  }
  return v;
}

/** Mark `x` as an input of reverse level `level` (a leaf of its graph). */
export function reverseInput(x: Tensor, level: Level): Tensor {
  const v = linkedCopy(x);
  v._rev = [...(v._rev ?? []), level.id];
  v._node ??= { prim: 'identity', inputs: [x], params: null, out: v, seq: nextSeq++ };
  return v;
}

/** Attach tangent `t` to `x` at forward level `level`. */
export function forwardInput(x: Tensor, t: Tensor, level: Level): Tensor {
  const v = linkedCopy(x);
  (v._tan ??= new Map()).set(level.id, t);
  return v;
}

export function tangentAt(x: Tensor, level: Level): Tensor | undefined {
  return x._tan?.get(level.id);
}

/** Drop traces of closed levels so a returned value does not pin a dead graph in memory. */
export function release(x: Tensor): Tensor {
  const live = x._rev?.some((id) => visibleRev.includes(id)) || visibleFwd.some((l) => x._tan?.has(l.id));
  return live ? x : new Tensor(x.data, x.shape, x.dtype);
}

/**
 * The reverse sweep of `level` (already popped): cotangents of `inputs` given the cotangent
 * `seed` of `y`. Rules run as ordinary traced ops, so outer levels record them.
 */
export function backward(level: Level, y: Tensor, seed: Tensor, inputs: readonly Tensor[]): (Tensor | null)[] {
  const id = level.id;
  const depends = (x: Tensor): boolean => x._rev?.includes(id) === true;
  if (!depends(y)) return inputs.map(() => null);

  const nodes: Node[] = [];
  const seen = new Set<Node>();
  const todo: Node[] = [y._node!];
  while (todo.length > 0) {
    const node = todo.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    nodes.push(node);
    // A level's own inputs are its leaves: stop there even if outer levels continue.
    if (node.prim === 'identity' && inputs.includes(node.out)) continue;
    for (const x of node.inputs) if (depends(x)) todo.push(x._node!);
  }
  nodes.sort((a, b) => b.seq - a.seq);

  const cotangents = new Map<Node, Tensor>([[y._node!, seed]]);
  const accumulate = (node: Node, ct: Tensor): void => {
    const prev = cotangents.get(node);
    cotangents.set(node, prev ? bind('add', [prev, ct], {}) : ct);
  };
  for (const node of nodes) {
    const ct = cotangents.get(node);
    if (!ct || (node.prim === 'identity' && inputs.includes(node.out))) continue;
    if (node.prim === 'identity') {
      const src = node.inputs[0]!;
      if (depends(src)) accumulate(src._node!, ct);
      continue;
    }
    const needs = node.inputs.map(depends);
    const prim = node.prim as Prim;
    const rule = ruleTables().vjp[prim] as (ct: Tensor, x: readonly Tensor[], out: Tensor, p: unknown, needs: boolean[]) => (Tensor | null)[];
    const grads = rule(ct, node.inputs, node.out, node.params, needs);
    node.inputs.forEach((x, i) => {
      const g = grads[i];
      if (needs[i] && g) accumulate(x._node!, checkRuleOutput('VJP', prim, reduceToInput(g, x), x));
    });
  }
  return inputs.map((x) => (x._node ? (cotangents.get(x._node) ?? null) : null));
}
