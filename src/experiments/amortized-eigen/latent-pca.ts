/**
 * amortized-eigen/latent-pca — the paper's latent-space PCA (Fig. 6, Table 1 row) at laptop
 * scale: an MLP autoencoder 784 → hidden → d → hidden → 784 on MNIST with, at every step, a
 * top-k PCA term on the batch's latent covariance C = Z_cᵀZ_c/B (d×d):
 *   L = ‖x − dec(enc(x))‖²/784 + η·(1 − Σ_{i≤k} λᵢ(C)/tr(C)),
 * the fraction of latent variance outside the top-k principal directions (our reconstruction:
 * the paper's exact regularizer was not retrievable). λᵢ: exact `linalg.eigh` (t1: the last k
 * eigenvalues, eigh being ascending) or the eigen tracker's λ̂ (t2); η = 0 is the backbone (t0).
 * Latent sizes d run one after another (their timings must not compete for cores).
 */
import { z } from 'zod';
import { Tensor } from '../../tensor/tensor.ts';
import { add, div, matmul, mean, mul, slice, sub, sum, transpose } from '../../tensor/ops.ts';
import { mse } from '../../tensor/composed.ts';
import { stopGradient, valueAndGrad } from '../../tensor/transforms.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { adam } from '../../optim/aliases.ts';
import { applyUpdates } from '../../optim/chain.ts';
import { eigh } from '../../linalg/index.ts';
import { loadMnist, MNIST_TOTAL } from '../../data/mnist.ts';
import { mlp } from '../../nn/mlp.ts';
import type { SequentialParams } from '../../nn/sequential.ts';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import type { ReportSpec } from '../../report/spec.ts';
import { eigenTracker } from '../../methods/amortized-eigen/eigen-tracker.ts';
import { trackingError } from '../../methods/amortized-eigen/monitor.ts';
import { defineExperiment, RunInterrupted } from '../experiment.ts';
import { fmtNum, growingSpeedUps, PAPER, relDiffPct, speedUp, StepTimer, withinPct } from './common.ts';

const VARIANTS = ['backbone', 'exact', 'amortized'] as const;
type Variant = (typeof VARIANTS)[number];

const config = z
  .object({
    latent: z.array(z.number().int().min(2).max(4096)).min(1).default([64, 256, 1024]),
    k: z.number().int().min(1).default(16),
    hidden: z.number().int().min(1).default(256),
    trainSize: z.number().int().min(100).default(4000),
    testSize: z.number().int().min(100).default(1000),
    batchSize: z.number().int().min(2).default(128),
    steps: z.number().int().min(1).default(150),
    lr: z.number().positive().default(1e-3),
    eta: z.number().min(0).default(1),
    trackerLr: z.number().positive().default(1e-2),
    warmupSteps: z.number().int().min(0).default(200),
    logEvery: z.number().int().min(1).default(25),
    parityPct: z.number().positive().default(2),
  })
  .strict()
  .refine((c) => c.trainSize + c.testSize <= MNIST_TOTAL, { message: `trainSize + testSize must be at most ${MNIST_TOTAL} (the mnist package's digits)` })
  .refine((c) => c.latent.every((d) => c.k <= d), { message: 'k must be at most every latent size', path: ['k'] });
type Config = z.infer<typeof config>;

interface SizeResult {
  latent: number;
  testRecon: Record<Variant, number>;
  ms: Record<Variant, number>;
  speedUp: number;
  /** Amortized run at the end: max relative error of λ̂ vs exact top-k on the test latents. */
  finalEigError: number;
  eigError: { step: number; maxRelError: number }[];
}

/** C = Z_cᵀZ_c/B (exactly symmetrized: GEMM rounding may leave ~1e-16 asymmetry) and tr(C) = Σ Z_c²/B. */
function covariance(z: Tensor): { c: Tensor; tr: Tensor } {
  const b = z.shape[0]!;
  const zc = sub(z, mean(z, 0, { keepdims: true }));
  const c = div(matmul(zc, zc, { transA: true }), b);
  return { c: mul(add(c, transpose(c)), 0.5), tr: div(sum(mul(zc, zc)), b) };
}

/** Sum of the top k eigenvalues by exact eigh (ascending: the last k). */
const exactTopSum = (c: Tensor, k: number): Tensor => sum(slice(eigh(c).values, [c.shape[0]! - k], [c.shape[0]!]));

export const latentPca = defineExperiment({
  id: 'amortized-eigen/latent-pca',
  title: 'Amortized eigendecomposition: latent-space PCA in an MNIST autoencoder',
  paper: PAPER,
  description:
    'MLP autoencoder on MNIST with a top-k PCA term on the latent covariance every step: exact eigh vs the eigen tracker, latent sizes 64/256/1024 (sequentially); times t0/t1/t2 and the speed-up.',
  config,
  presets: {
    smoke: { latent: [8, 16], k: 4, hidden: 32, trainSize: 300, testSize: 100, batchSize: 32, steps: 15, warmupSteps: 20, logEvery: 5 },
    small: {},
    paper: { trainSize: 8000, testSize: 2000, steps: 1000, warmupSteps: 400, logEvery: 50 },
  },
  async run(c, io) {
    const { train, test } = loadMnist({ train: c.trainSize, test: c.testSize });
    const nTrain = train.x.shape[0]!;
    const batchAt = (step: number): Tensor => {
      // Deterministic contiguous batches in a fixed shuffled order (same for every variant).
      const start = ((step - 1) * c.batchSize) % (nTrain - c.batchSize + 1);
      return slice(train.x, [start, 0], [start + c.batchSize, 784]);
    };
    const sizes: SizeResult[] = [];
    for (const d of c.latent) {
      const r = await io.stage(`d${d}`, () => {
        const key = random.foldIn(io.key, d);
        const enc = mlp({ name: 'enc', sizes: [784, c.hidden, d] });
        const dec = mlp({ name: 'dec', sizes: [d, c.hidden, 784] });
        const init = { enc: enc.init(random.foldIn(key, 'enc')), dec: dec.init(random.foldIn(key, 'dec')) };
        const out = { testRecon: {}, ms: {} } as Pick<SizeResult, 'testRecon' | 'ms'>;
        const eigError: SizeResult['eigError'] = [];
        let finalEigError = NaN;
        for (const variant of VARIANTS) {
          type P = { enc: SequentialParams; dec: SequentialParams };
          const opt = adam(c.lr);
          let params: P = init;
          let optState = opt.init(params);
          const tracker = eigenTracker({ n: d, k: c.k, optimizer: adam(c.trackerLr), warmupSteps: c.warmupSteps });
          let ts =
            variant === 'amortized' ? tracker.warmup(tracker.init(random.foldIn(key, 'tracker')), covariance(enc.apply(init.enc, batchAt(1))).c) : undefined;
          let cov: Tensor | undefined; // the current batch's C, detached, for the tracker step
          const loss = (p: P, x: Tensor): Tensor => {
            const z = enc.apply(p.enc, x);
            const recon = mse(dec.apply(p.dec, z), x);
            if (variant === 'backbone') return recon;
            const { c: cz, tr } = covariance(z);
            cov = stopGradient(cz);
            if (ts) ts = tracker.update(ts, cov).state; // W-step on the detached C, then λ̂ = sg(U)ᵀC(θ)sg(U)
            const top = variant === 'exact' ? exactTopSum(cz, c.k) : sum(tracker.estimate(ts!, cz).values);
            return add(recon, mul(sub(1, div(top, tr)), c.eta));
          };
          const vg = valueAndGrad(loss);
          const timer = new StepTimer();
          for (let step = 1; step <= c.steps; step++) {
            if (io.signal.aborted) throw new RunInterrupted();
            const x = batchAt(step);
            const value = timer.time(() => {
              const { value, grads } = vg(params, x);
              const [upd, next] = opt.update(grads, optState, { params, step: step - 1 });
              optState = next;
              params = applyUpdates(params, upd);
              return value.data[0]!;
            });
            if (step % c.logEvery === 0 || step === c.steps) {
              const rec: Record<string, unknown> = { latent: d, variant, step, loss: value };
              if (ts && cov) {
                const e = tracker.estimate(ts, cov);
                const err = trackingError(cov, e.values, e.vectors).maxRelValueError;
                eigError.push({ step, maxRelError: err });
                rec['eigMaxRelError'] = err;
              }
              io.log(rec);
              io.progress({ stage: `d${d}-${variant}`, step, total: c.steps, loss: value });
            }
          }
          out.testRecon[variant] = mse(dec.apply(params.dec, enc.apply(params.enc, test.x)), test.x).data[0]!;
          out.ms[variant] = timer.medianMs();
          if (ts) {
            const ct = covariance(enc.apply(params.enc, test.x)).c;
            const e = tracker.estimate(ts, ct);
            finalEigError = trackingError(ct, e.values, e.vectors).maxRelValueError;
          }
          io.log({ latent: d, variant, testRecon: out.testRecon[variant] });
        }
        return { latent: d, ...out, speedUp: speedUp(out.ms.backbone, out.ms.exact, out.ms.amortized), finalEigError, eigError } satisfies SizeResult;
      });
      sizes.push(r);
    }
    return { sizes };
  },
  report(r: { sizes: SizeResult[] }, c: Config): ReportSpec {
    return {
      title: this.title,
      summary:
        `MLP autoencoder 784-${c.hidden}-d-${c.hidden}-784 (ReLU) on ${c.trainSize} MNIST digits, batch ${c.batchSize}, Adam (lr ${c.lr}) for ${c.steps} steps, ` +
        `loss = reconstruction MSE + ${c.eta}·(1 − Σ_{i≤${c.k}} λᵢ(C)/tr(C)) on the batch latent covariance C. Exact: linalg.eigh; amortized: the eigen tracker ` +
        `(Brockett, Adam lr ${c.trackerLr}, one step per training step on the detached C, ${c.warmupSteps} untimed warm-up steps on the first batch). ` +
        'Latent sizes run one after another so their timings do not compete for cores; times are medians of per-step wall-clock on a shared 2-core machine (noisy), kept out of metrics.jsonl. ' +
        "Final eigenvalue error: tracker λ̂ vs exact top-k of the test latents' covariance.",
      figures: [
        lineChart({
          id: 'eig-error',
          title: 'Tracker: max relative error of λ̂ vs exact (batch covariance)',
          x: 'step',
          y: 'maxRelError',
          series: 'latent',
          logY: true,
          nonPositive: 'drop',
          data: r.sizes.flatMap((s) => s.eigError.map((p) => ({ latent: String(s.latent), step: p.step, maxRelError: p.maxRelError }))),
        }),
      ],
      tables: [
        {
          id: 'results',
          title: 'Time per step (ms) and outcome',
          columns: [
            'd',
            't0 backbone',
            't1 exact eigh',
            't2 amortized',
            'speed-up (t1−t0)/(t2−t0)',
            'test recon backbone',
            'test recon exact',
            'test recon amortized',
            'final λ̂ max rel. error',
          ],
          rows: r.sizes.map((s) => [
            s.latent,
            fmtNum(s.ms.backbone),
            fmtNum(s.ms.exact),
            fmtNum(s.ms.amortized),
            fmtNum(s.speedUp),
            fmtNum(s.testRecon.backbone, 5),
            fmtNum(s.testRecon.exact, 5),
            fmtNum(s.testRecon.amortized, 5),
            fmtNum(s.finalEigError),
          ]),
        },
      ],
      claims: [
        checkClaim({
          id: 'parity',
          statement: `final test reconstruction loss of the amortized run within ${c.parityPct} % of the exact-eigh run at every latent size`,
          expected: `≤ ${c.parityPct} %`,
          value: r.sizes.length ? r.sizes : undefined,
          holds: (s) => s.every((x) => withinPct(x.testRecon.amortized, x.testRecon.exact, c.parityPct)),
          format: (s) => s.map((x) => `d=${x.latent}: ${fmtNum(relDiffPct(x.testRecon.amortized, x.testRecon.exact))} %`).join(', '),
        }),
        checkClaim({
          id: 'speed-up',
          statement: 'speed-up (t1 − t0)/(t2 − t0) > 1 at every latent size and growing with size',
          expected: '> 1, non-decreasing',
          value: r.sizes.length ? r.sizes.map((x) => x.speedUp) : undefined,
          holds: growingSpeedUps,
          format: (s) => s.map((x, i) => `d=${r.sizes[i]!.latent}: ${fmtNum(x)}×`).join(', '),
        }),
      ],
    };
  },
});
