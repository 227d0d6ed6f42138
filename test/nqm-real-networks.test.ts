/**
 * nqm/real-networks end to end: one cell through the CLI and the experiment's own smoke sweep through
 * the sweeps layer (here, outside src/, because experiments/ must not import sweeps/ or cli/).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../src/sweeps/run-sweep.ts';
import { inlineExecutor } from '../src/sweeps/executor.ts';
import { main } from '../src/cli/main.ts';
import { realNetworkClaims, REAL_NETWORK_SWEEPS } from '../src/experiments/nqm/real-networks-analysis.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ts-nqm-real-'));

describe('nqm/real-networks runs', () => {
  it('one cell: a huge SGD learning rate diverges and is reported unreachable', async () => {
    const dir = join(tmp(), 'run');
    const code = await main(['run', 'nqm/real-networks', '--preset', 'smoke', '--set', 'optimizer=sgd', '--set', 'lr=1000', '--out', dir]);
    assert.equal(code, 0);
    const r = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).result;
    assert.equal(r.steps, null);
    assert.equal(r.diverged, true);
  });

  it('the smoke sweep (the declared grid) runs inline and yields the aggregate, B_crit claims and figures', async () => {
    const dir = tmp();
    const spec = {
      experiment: 'nqm/real-networks',
      preset: 'smoke' as const,
      sets: [],
      axes: REAL_NETWORK_SWEEPS.smoke.axes,
      seeds: REAL_NETWORK_SWEEPS.smoke.seeds,
    };
    const res = await runSweep({ dir, spec, executor: inlineExecutor(), signal: new AbortController().signal });
    assert.equal(res.ran, 8);
    assert.ok(res.aggregate);
    assert.equal(res.aggregate.points.length, 8);
    assert.ok(
      res.aggregate.points.every((p) => Number.isFinite(p.metrics['steps']!.mean)),
      'every smoke cell reaches its target',
    );
    const claims = realNetworkClaims(res.aggregate);
    const main = claims.find((c) => c.id === 'bcrit-adam-kfac-above-momentum')!;
    assert.notEqual(main.pass, null);
    assert.match(String(main.observed), /momentum [\d.]+, Adam [\d.]+, K-FAC [\d.]+/);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    assert.match(md, /bcrit-adam-kfac-above-momentum/);
    assert.match(md, /figures\/real-steps-vs-batch\.png/);
    assert.match(md, /figures\/nqm-prediction\.png/);
  });
});
