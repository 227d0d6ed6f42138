/**
 * The complete rule tables, assembled from the families and handed to the tracer by
 * transforms.ts (`registerRules`): trace.ts never imports a rule, so the core has no import
 * cycle through the ops the rules are written in. The types make the compiler refuse a
 * primitive until its VJP and JVP exist.
 */
import type { JvpRule, Prim, VjpRule } from './primitives.ts';
import { elementwiseJvp, elementwiseVjp } from './elementwise-rules.ts';
import { reduceJvp, reduceVjp } from './reduce-rules.ts';
import { layoutJvp, layoutVjp } from './layout-rules.ts';
import { linalgJvp, linalgVjp } from './linalg-rules.ts';

export const vjpRules: { [P in Prim]: VjpRule<P> } = { ...elementwiseVjp, ...reduceVjp, ...layoutVjp, ...linalgVjp };
export const jvpRules: { [P in Prim]: JvpRule<P> } = { ...elementwiseJvp, ...reduceJvp, ...layoutJvp, ...linalgJvp };
