import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key } from '../../tensor/prng.ts';
import { operatorFromMatrix } from '../../spectral/index.ts';
import { normal } from '../../tensor/prng.ts';
import { analyzePhase, type PhaseOptions } from './analyze.ts';
import { spectrumReport } from './report.ts';
import { hessianSpectrum, type HessianSpectrumConfig } from './hessian-spectrum.ts';

const opts: PhaseOptions = {
  top: 4,
  bottom: 2,
  lanczosTol: 1e-10,
  lanczosMaxIter: 60,
  hutchinsonProbes: 30,
  slqProbes: 4,
  slqSteps: 20,
  denseMaxParams: 100,
  compareK: 3,
  compareRtol: 1e-6,
  gridPoints: 100,
};

function randomOp(n: number): ReturnType<typeof operatorFromMatrix> {
  const g = normal(key(3), n * n);
  const m = Float64Array.from({ length: n * n }, (_, i) => 0.5 * (g[i]! + g[(i % n) * n + Math.floor(i / n)]!));
  return operatorFromMatrix(m, n);
}

test('hessian-spectrum: a phase on a known operator passes its claims; corrupted numbers fail them', () => {
  const p = analyzePhase('init', randomOp(50), key(1), opts);
  assert.ok(p.dense && p.comparison);
  const c = hessianSpectrum.config.parse({ ...hessianSpectrum.presets.smoke, top: 4, bottom: 2, compareK: 3 }) as HessianSpectrumConfig;
  const good = spectrumReport({ sizes: [1], phases: [p], finalTrainLoss: null }, c);
  assert.deepEqual(
    good.claims.map((x) => x.pass),
    [true, true, true, true],
    JSON.stringify(good.claims),
  );
  const bad = structuredClone(p);
  bad.dense!.topMaxRelErr = 1e-6;
  bad.slq.mass = 0.9;
  bad.slq.firstMoment += 10 * (p.trace.stdErr / p.params + p.slq.firstMomentStdErr);
  bad.comparison!.lanczos.hvps = 10 ** 6;
  const r = spectrumReport({ sizes: [1], phases: [bad], finalTrainLoss: null }, c);
  assert.deepEqual(
    r.claims.map((x) => x.pass),
    [false, false, false, false],
  );
  assert.equal(r.figures.length, 1);
  // Without a dense spectrum the dense-dependent claims are "not evaluated", not passed.
  const big = analyzePhase('trained', randomOp(50), key(2), { ...opts, denseMaxParams: 10 });
  const nd = spectrumReport({ sizes: [1], phases: [big], finalTrainLoss: null }, c);
  assert.equal(nd.claims[0]!.pass, null);
  assert.equal(nd.claims[3]!.pass, null);
});
