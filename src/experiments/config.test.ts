/** Config typing and resolution: refined schemas need no cast and keep --set's typo hints. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { allowedKeys, nonFinitePath, resolveConfig } from './config.ts';
import { defineExperiment, type Experiment } from './experiment.ts';
import { mnistMlp } from './baselines/mnist-mlp.ts';

const schema = z
  .object({ lrMin: z.number().positive().default(1e-4), lrMax: z.number().positive().default(1e-1), steps: z.number().int().min(1).default(100) })
  .strict()
  .refine((c) => c.lrMin < c.lrMax, { message: 'lrMin must be below lrMax', path: ['lrMin'] })
  .refine((c) => c.steps % 2 === 0, { message: 'steps must be even' });

// Compile-time checks: a refined schema is accepted with no cast, and cfg is typed from it.
const refined = defineExperiment({
  id: 'test/refined',
  title: 'Refined',
  paper: 'none',
  description: 'a test experiment',
  config: schema,
  presets: { smoke: { steps: 10 }, small: {} },
  async run(cfg) {
    const span: number = cfg.lrMax - cfg.lrMin;
    return { span };
  },
  report: (r) => ({ title: 't', summary: String(r.span), figures: [], tables: [], claims: [] }),
});
const explicit: Experiment<z.output<typeof schema>, number> = {
  ...refined,
  run: async (cfg) => cfg.steps,
  report: () => refined.report({ span: 0 }, refined.config.parse({})),
};

describe('config resolution', () => {
  it('a .refine schema keeps the allowed keys and the typo hints of --set and --config', () => {
    assert.deepEqual(allowedKeys(refined), ['lrMax', 'lrMin', 'steps']);
    assert.deepEqual(allowedKeys(explicit), ['lrMax', 'lrMin', 'steps']);
    assert.throws(
      () => resolveConfig(refined, { preset: 'small', sets: ['lrMxa=0.5'] }),
      /unknown config key 'lrMxa' in --set for test\/refined \(did you mean 'lrMax'\?\); allowed keys: lrMax, lrMin, steps/,
    );
    assert.throws(() => resolveConfig(refined, { preset: 'small', sets: ['stpes=4'] }), /did you mean 'steps'/);
  });

  it('applies defaults, presets and --set, and reports refinement failures with their key', () => {
    assert.deepEqual(resolveConfig(refined, { preset: 'smoke' }), { lrMin: 1e-4, lrMax: 0.1, steps: 10 });
    assert.deepEqual(resolveConfig(refined, { preset: 'small', sets: ['lrMax=0.5'] }), { lrMin: 1e-4, lrMax: 0.5, steps: 100 });
    assert.throws(() => resolveConfig(refined, { preset: 'small', sets: ['lrMin=1'] }), /invalid config value for 'lrMin' \(1\): lrMin must be below lrMax/);
    assert.throws(() => resolveConfig(refined, { preset: 'small', sets: ['steps=3'] }), /invalid config for test\/refined: steps must be even/);
    assert.throws(() => resolveConfig(refined, { preset: 'small', sets: ['steps=0'] }), /invalid config value for 'steps' \(0\)/);
  });

  it('the baseline needs no cast and still suggests close keys', () => {
    assert.ok(allowedKeys(mnistMlp).includes('steps'));
    assert.throws(() => resolveConfig(mnistMlp, { preset: 'smoke', sets: ['hiden=3'] }), /did you mean 'hidden'/);
  });

  it('a schema that is not an object is refused with a clear error', () => {
    const bad = { ...refined, id: 'test/bad', config: z.number() } as unknown as Experiment;
    assert.throws(() => allowedKeys(bad), /test\/bad: its config schema must be a z\.object/);
  });
});

describe('finite config numbers', () =>
  it('non-finite numbers are found by path, also inside arrays and objects', () => {
    assert.equal(nonFinitePath(1e308, 'lr'), undefined);
    assert.equal(nonFinitePath(JSON.parse('1e309'), 'lr'), 'lr');
    assert.equal(nonFinitePath([1, { a: [2, -Infinity] }], 'x'), 'x[1].a[1]');
    assert.equal(nonFinitePath({ b: NaN }, 'x'), 'x.b');
    assert.throws(() => resolveConfig(mnistMlp, { preset: 'smoke', sets: ['sgdLr=1e309'] }), /invalid config value for 'sgdLr': it must be a finite number/);
  }));
