import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SweepAggregate } from '../sweep-types.ts';
import { checkSteps, realNetworks } from './real-networks.ts';
import { analyzeRealNetworks, realNetworkClaims, realNetworkFigures, tuneOverLr } from './real-networks-analysis.ts';

/** A synthetic aggregate: T(B) = sMin + eMin/B at the best LR, twice that at a worse one, one seed. */
function synthetic(curves: Record<string, { sMin: number; eMin: number }>, Bs: number[]): SweepAggregate {
  const points = Object.entries(curves).flatMap(([optimizer, { sMin, eMin }]) =>
    Bs.flatMap((B) =>
      [0.1, 1].map((lr) => {
        const steps = Math.round((sMin + eMin / B) * (lr === 1 ? 1 : 2));
        return {
          values: { batchSize: B, optimizer, lr },
          seeds: [0],
          cells: [`${optimizer}-${B}-${lr}`],
          metrics: { steps: { mean: steps, std: 0, n: 1, values: [steps] } },
        };
      }),
    ),
  );
  return { experiment: 'nqm/real-networks', axes: ['batchSize', 'optimizer', 'lr'], points, failed: [] };
}

describe('nqm/real-networks analysis', () => {
  it('takes the fewest steps over LRs per (optimizer, B); a point with an unreached seed counts as unreached', () => {
    const agg = synthetic({ sgd: { sMin: 10, eMin: 1000 } }, [8, 64]);
    agg.points.push({
      values: { batchSize: 8, optimizer: 'sgd', lr: 3 },
      seeds: [0, 1],
      cells: ['a', 'b'],
      metrics: { steps: { mean: NaN, std: NaN, n: 2, values: [5, NaN] } },
    });
    const rows = tuneOverLr(agg);
    assert.deepEqual(
      rows.map((r) => [r.B, r.steps, r.lr, r.edge]),
      [
        [8, 135, 1, false],
        [64, 26, 1, true],
      ],
    );
    const claim = realNetworkClaims(agg).find((c) => c.id === 'lr-grid-brackets-optimum')!;
    assert.equal(claim.pass, false);
    assert.match(String(claim.observed), /sgd B=64 \(lr 1\)/);
  });

  it('recovers B_crit per optimizer from the tuned rows; the claim passes or fails on the numbers', () => {
    const Bs = [4, 16, 64, 256, 1024, 4096];
    const pass = analyzeRealNetworks(synthetic({ momentum: { sMin: 100, eMin: 3200 }, adam: { sMin: 50, eMin: 6400 }, kfac: { sMin: 20, eMin: 5120 } }, Bs));
    const bc = Object.fromEntries(pass.fits.map((f) => [f.optimizer, f.bCrit!]));
    assert.ok(Math.abs(bc['momentum']! - 32) / 32 < 0.05, `momentum ${bc['momentum']}`);
    assert.ok(Math.abs(bc['adam']! - 128) / 128 < 0.05, `adam ${bc['adam']}`);
    assert.ok(Math.abs(bc['kfac']! - 256) / 256 < 0.05, `kfac ${bc['kfac']}`);
    const ok = realNetworkClaims(synthetic({ momentum: { sMin: 100, eMin: 3200 }, adam: { sMin: 50, eMin: 6400 }, kfac: { sMin: 20, eMin: 5120 } }, Bs));
    assert.equal(ok.find((c) => c.id === 'bcrit-adam-kfac-above-momentum')!.pass, true);
    const bad = realNetworkClaims(synthetic({ momentum: { sMin: 10, eMin: 6400 }, adam: { sMin: 50, eMin: 6400 }, kfac: { sMin: 20, eMin: 5120 } }, Bs));
    const c = bad.find((x) => x.id === 'bcrit-adam-kfac-above-momentum')!;
    assert.equal(c.pass, false);
    assert.match(String(c.observed), /momentum 6\d\d, Adam 12\d, K-FAC 2[56]\d/);
    // The NQM under the mapping: preconditioning (larger p) extends scaling.
    const nqm = ok.find((x) => x.id === 'nqm-predicts-order')!;
    assert.equal(nqm.pass, true, String(nqm.observed));
  });

  it('without Adam or K-FAC the claim is not evaluated (null), never a silent pass', () => {
    const claims = realNetworkClaims(synthetic({ momentum: { sMin: 100, eMin: 3200 } }, [4, 64, 1024]));
    assert.equal(claims.find((c) => c.id === 'bcrit-adam-kfac-above-momentum')!.pass, null);
    assert.ok(realNetworkFigures(synthetic({ momentum: { sMin: 100, eMin: 3200 } }, [4, 64, 1024])).some((f) => f.id === 'real-steps-vs-batch'));
  });

  it('measures the full loss densely first, then geometrically, always at the last step', () => {
    const s = [...checkSteps(3, 1.5, 20)].sort((a, b) => a - b);
    assert.deepEqual(s, [1, 2, 3, 5, 8, 12, 18, 20]);
  });

  it('rejects a batch larger than the training set', () => {
    assert.throws(() => realNetworks.config.parse({ trainSize: 100, batchSize: 200 }), /batchSize 200 is larger than trainSize 100/);
  });
});
