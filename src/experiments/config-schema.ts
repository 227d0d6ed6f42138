/**
 * An experiment's config schema as JSON Schema (draft 2020-12), for `trainscope list --json` and
 * the config.schema.json that a run folder's config.json points at through `$schema`, so an
 * editor checks a config file before `--config` does.
 *
 * The configs are zod 3 schemas; zod 3.25's own `toJSONSchema` accepts only zod 4 schemas, so
 * this walks the zod 3 definitions that configs use. Every key is optional in the file (presets
 * and defaults fill the rest) and unknown keys are refused, as resolveConfig does. What JSON
 * Schema cannot say (`.refine` checks, transforms) is left to the run itself; a zod type not
 * handled here becomes `{}` (anything), never a wrong constraint.
 */
import type { z } from 'zod';
import { configObject } from './config.ts';
import type { Experiment } from './experiment.ts';

export type JsonSchema = Record<string, unknown>;

interface Check {
  kind: string;
  value?: unknown;
  inclusive?: boolean;
  regex?: RegExp;
}
interface Def {
  typeName?: string;
  checks?: Check[];
  innerType?: z.ZodTypeAny;
  schema?: z.ZodTypeAny;
  in?: z.ZodTypeAny;
  type?: z.ZodTypeAny;
  values?: unknown;
  value?: unknown;
  options?: z.ZodTypeAny[];
  items?: z.ZodTypeAny[];
  valueType?: z.ZodTypeAny;
  minLength?: { value: number } | null;
  maxLength?: { value: number } | null;
  exactLength?: { value: number } | null;
  defaultValue?: () => unknown;
  getter?: () => z.ZodTypeAny;
}

function numberSchema(checks: readonly Check[]): JsonSchema {
  const out: JsonSchema = { type: checks.some((c) => c.kind === 'int') ? 'integer' : 'number' };
  for (const c of checks) {
    if (c.kind === 'min') out[c.inclusive ? 'minimum' : 'exclusiveMinimum'] = c.value;
    else if (c.kind === 'max') out[c.inclusive ? 'maximum' : 'exclusiveMaximum'] = c.value;
    else if (c.kind === 'multipleOf') out['multipleOf'] = c.value;
  }
  return out;
}

function stringSchema(checks: readonly Check[]): JsonSchema {
  const out: JsonSchema = { type: 'string' };
  for (const c of checks) {
    if (c.kind === 'min') out['minLength'] = c.value;
    else if (c.kind === 'max') out['maxLength'] = c.value;
    else if (c.kind === 'length') out['minLength'] = out['maxLength'] = c.value;
    else if (c.kind === 'regex' && c.regex) out['pattern'] = c.regex.source;
  }
  return out;
}

/** One zod 3 type as JSON Schema. */
export function zodToJsonSchema(schema: z.ZodTypeAny, depth = 0): JsonSchema {
  if (depth > 64) return {};
  const def = schema._def as Def;
  const inner = (s: z.ZodTypeAny | undefined): JsonSchema => (s ? zodToJsonSchema(s, depth + 1) : {});
  const described = (out: JsonSchema): JsonSchema => (schema.description ? { description: schema.description, ...out } : out);
  switch (def.typeName) {
    case 'ZodNumber':
      return described(numberSchema(def.checks ?? []));
    case 'ZodString':
      return described(stringSchema(def.checks ?? []));
    case 'ZodBoolean':
      return described({ type: 'boolean' });
    case 'ZodNull':
      return described({ type: 'null' });
    case 'ZodLiteral':
      return described({ const: def.value });
    case 'ZodEnum':
      return described({ enum: [...(def.values as readonly unknown[])] });
    case 'ZodNativeEnum':
      return described({ enum: Object.values(def.values as object) });
    case 'ZodArray': {
      const out: JsonSchema = { type: 'array', items: inner(def.type) };
      if (def.exactLength) out['minItems'] = out['maxItems'] = def.exactLength.value;
      if (def.minLength) out['minItems'] = def.minLength.value;
      if (def.maxLength) out['maxItems'] = def.maxLength.value;
      return described(out);
    }
    case 'ZodTuple':
      return described({ type: 'array', prefixItems: (def.items ?? []).map(inner), minItems: def.items?.length ?? 0, maxItems: def.items?.length ?? 0 });
    case 'ZodUnion':
    case 'ZodDiscriminatedUnion':
      return described({ anyOf: (def.options ?? []).map(inner) });
    case 'ZodRecord':
      return described({ type: 'object', additionalProperties: inner(def.valueType) });
    case 'ZodObject':
      return described(objectSchema(schema as z.AnyZodObject, depth, (schema as z.AnyZodObject)._def.unknownKeys === 'strict'));
    case 'ZodNullable':
      return described({ anyOf: [inner(def.innerType), { type: 'null' }] });
    case 'ZodDefault': {
      const out = inner(def.innerType);
      return described({ ...out, default: def.defaultValue?.() });
    }
    case 'ZodOptional':
    case 'ZodReadonly':
    case 'ZodCatch':
    case 'ZodBranded':
      return { ...(schema.description ? { description: schema.description } : {}), ...inner(def.innerType ?? def.type) };
    case 'ZodEffects':
      return described(inner(def.schema));
    case 'ZodPipeline':
      return described(inner(def.in));
    case 'ZodLazy':
      return described(def.getter ? inner(def.getter()) : {});
    default:
      return described({});
  }
}

function objectSchema(obj: z.AnyZodObject, depth: number, closed: boolean): JsonSchema {
  const shape = obj.shape as Record<string, z.ZodTypeAny>;
  const properties = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, zodToJsonSchema(v, depth + 1)]));
  const required = Object.entries(shape)
    .filter(([, v]) => !v.isOptional())
    .map(([k]) => k);
  return { type: 'object', properties, ...(required.length ? { required } : {}), ...(closed ? { additionalProperties: false } : {}) };
}

/**
 * The schema of a config file for `exp` (`--config FILE`, a run folder's config.json): its keys,
 * all optional, no others, plus the `$schema` key that points an editor here.
 */
export function configJsonSchema(exp: Experiment<any, any>): JsonSchema {
  const obj = configObject(exp.config);
  if (!obj) throw new Error(`${exp.id}: its config schema must be a z.object`);
  const { properties } = objectSchema(obj, 0, true) as { properties: Record<string, JsonSchema> };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `${exp.id} config`,
    description: `Config keys for ${exp.id}; each is optional (the preset and defaults fill the rest).`,
    type: 'object',
    properties: { $schema: { type: 'string' }, ...properties },
    additionalProperties: false,
  };
}
