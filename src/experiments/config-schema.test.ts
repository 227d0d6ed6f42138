import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { configJsonSchema, zodToJsonSchema } from './config-schema.ts';
import { defineExperiment } from './experiment.ts';

test('zod 3 types become JSON Schema: numbers with bounds, strings, enums, arrays, unions, wrappers', () => {
  assert.deepEqual(zodToJsonSchema(z.number().int().min(1).max(10)), { type: 'integer', minimum: 1, maximum: 10 });
  assert.deepEqual(zodToJsonSchema(z.number().positive()), { type: 'number', exclusiveMinimum: 0 });
  assert.deepEqual(zodToJsonSchema(z.number().lt(1).multipleOf(0.5)), { type: 'number', exclusiveMaximum: 1, multipleOf: 0.5 });
  assert.deepEqual(zodToJsonSchema(z.string().min(2).regex(/^a+$/)), { type: 'string', minLength: 2, pattern: '^a+$' });
  assert.deepEqual(zodToJsonSchema(z.enum(['a', 'b']).default('b')), { enum: ['a', 'b'], default: 'b' });
  assert.deepEqual(zodToJsonSchema(z.array(z.boolean()).min(1).max(3)), { type: 'array', items: { type: 'boolean' }, minItems: 1, maxItems: 3 });
  assert.deepEqual(zodToJsonSchema(z.union([z.literal(1), z.null()])), { anyOf: [{ const: 1 }, { type: 'null' }] });
  assert.deepEqual(zodToJsonSchema(z.number().nullable().optional()), { anyOf: [{ type: 'number' }, { type: 'null' }] });
  assert.deepEqual(zodToJsonSchema(z.tuple([z.number(), z.string()])), {
    type: 'array',
    prefixItems: [{ type: 'number' }, { type: 'string' }],
    minItems: 2,
    maxItems: 2,
  });
  assert.deepEqual(
    zodToJsonSchema(
      z
        .number()
        .describe('steps')
        .refine((n) => n % 2 === 0),
    ),
    { type: 'number', description: 'steps' },
  );
  assert.deepEqual(zodToJsonSchema(z.record(z.number())), { type: 'object', additionalProperties: { type: 'number' } });
  // What JSON Schema cannot say becomes "anything", never a wrong constraint.
  assert.deepEqual(zodToJsonSchema(z.date()), {});
});

test('a config file schema: every key optional, no others, $schema allowed; refined objects are unwrapped', () => {
  const config = z
    .object({ steps: z.number().int().min(1).default(5), name: z.string() })
    .strict()
    .refine((c) => c.steps > 0);
  const exp = defineExperiment({
    id: 'test/schema',
    title: 't',
    paper: 'none',
    description: 'd',
    config,
    presets: { smoke: {}, small: {} },
    run: async () => ({}),
    report: () => ({ title: 't', summary: '', figures: [], tables: [], claims: [] }),
  });
  const s = configJsonSchema(exp);
  assert.equal(s['type'], 'object');
  assert.equal(s['additionalProperties'], false);
  assert.equal(s['required'], undefined, 'presets and defaults fill missing keys, so a file may hold any subset');
  assert.deepEqual(s['properties'], { $schema: { type: 'string' }, steps: { type: 'integer', minimum: 1, default: 5 }, name: { type: 'string' } });
});
