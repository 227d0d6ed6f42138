/**
 * Config resolution: schema defaults ← preset ← --config file ← --set k=v. Errors name the key,
 * suggest the closest allowed key for a typo, and list the allowed keys.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Experiment, PresetName } from './experiment.ts';

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The z.object inside a config schema: `.refine`/`.superRefine`/`.transform` wrap it in
 * ZodEffects, `.pipe` in ZodPipeline, `.optional()`/`.default()`/`.readonly()` in others; unwrap
 * them so the allowed keys (and the typo hints) still come from the object's shape.
 */
export function configObject(schema: z.ZodTypeAny): z.AnyZodObject | null {
  let s: z.ZodTypeAny = schema;
  for (let depth = 0; depth < 32; depth++) {
    if (s instanceof z.ZodObject) return s;
    if (s instanceof z.ZodEffects) s = s.innerType();
    else if (s instanceof z.ZodPipeline) s = s._def.in as z.ZodTypeAny;
    else if (s instanceof z.ZodLazy) s = s.schema as z.ZodTypeAny;
    else if (s._def && typeof s._def === 'object' && 'innerType' in s._def) s = (s._def as { innerType: z.ZodTypeAny }).innerType;
    else return null;
  }
  return null;
}

export function allowedKeys(exp: Experiment<any, any>): string[] {
  const obj = configObject(exp.config);
  if (!obj) throw new Error(`${exp.id}: its config schema must be a z.object (optionally wrapped in .refine, .superRefine or .transform)`);
  return Object.keys(obj.shape).sort();
}

/** The error (with the closest-key hint) for a key the schema does not have; `source` says where it came from. */
export function unknownKeyError(exp: Experiment<any, any>, key: string, source: string): Error {
  const allowed = allowedKeys(exp);
  const best = allowed.map((k) => [k, editDistance(key.toLowerCase(), k.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
  const hint = best && best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean '${best[0]}'?)` : '';
  return new Error(`unknown config key '${key}' in ${source} for ${exp.id}${hint}; allowed keys: ${allowed.join(', ')}`);
}

/** `k=v` with v parsed as JSON when it parses (numbers, booleans, arrays), else as a string. */
export function parseSet(assignment: string): [string, unknown] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new Error(`--set expects key=value, got '${assignment}'`);
  const key = assignment.slice(0, eq).trim();
  const raw = assignment.slice(eq + 1).trim();
  try {
    return [key, JSON.parse(raw)];
  } catch {
    return [key, raw];
  }
}

export interface ConfigSources {
  preset: PresetName;
  file?: string;
  sets?: readonly string[];
}

/**
 * The first non-finite number in a config value (JSON.parse turns 1e309 into Infinity; zod's
 * z.number() lets it through), as the key path; undefined when every number is finite.
 */
export function nonFinitePath(v: unknown, path: string): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : path;
  if (v === null || typeof v !== 'object') return undefined;
  for (const [k, x] of Object.entries(v)) {
    const p = nonFinitePath(x, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`);
    if (p) return p;
  }
  return undefined;
}

export function resolveConfig<C extends Record<string, unknown>>(exp: Experiment<C, any>, src: ConfigSources): C {
  const preset = exp.presets[src.preset];
  if (!preset) throw new Error(`${exp.id} has no '${src.preset}' preset (available: ${Object.keys(exp.presets).join(', ')})`);
  const allowed = new Set(allowedKeys(exp));
  const merged: Record<string, unknown> = { ...preset };
  if (src.file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(src.file, 'utf8'));
    } catch (e) {
      throw new Error(`--config ${src.file}: cannot read it as JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`--config ${src.file}: expected a JSON object`);
    for (const [k, v] of Object.entries(parsed)) {
      if (k === '$schema') continue; // an editor's pointer (a run folder's config.json has one), not a key
      if (!allowed.has(k)) throw unknownKeyError(exp, k, `--config ${src.file}`);
      merged[k] = v;
    }
  }
  for (const s of src.sets ?? []) {
    const [k, v] = parseSet(s);
    if (!allowed.has(k)) throw unknownKeyError(exp, k, '--set');
    merged[k] = v;
  }
  for (const [k, v] of Object.entries(merged)) {
    const bad = nonFinitePath(v, k);
    if (bad) throw new Error(`invalid config value for '${bad}': it must be a finite number (a number beyond ±1.8e308 reads as Infinity)`);
  }
  const result = exp.config.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') throw unknownKeyError(exp, issue.keys[0]!, 'config');
    // A refinement over the whole config (no path) names no key: say so, with its message.
    if (issue.path.length === 0) throw new Error(`invalid config for ${exp.id}: ${issue.message}`);
    throw new Error(`invalid config value for '${key}' (${JSON.stringify(merged[issue.path[0] as string])}): ${issue.message}`);
  }
  return result.data;
}
