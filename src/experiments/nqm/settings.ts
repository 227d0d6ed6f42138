/** Config pieces shared by the NQM experiments: the model and its description in results. */
import { z } from 'zod';
import { makeNqm, type Nqm } from '../../methods/nqm/problem.ts';

export const nqmConfigShape = {
  /** Dimensions (the notebook's 10⁴). */
  d: z.number().int().min(1).max(1_000_000).default(10_000),
  /** 'bins': the notebook's geometric bins (default); 'exact': all d dimensions. */
  binning: z.enum(['bins', 'exact']).default('bins'),
  bins: z.number().int().min(2).max(10_000).default(100),
  /** Spectrum hᵢ = i^(−spectrumPower) (the notebook: 1). */
  spectrumPower: z.number().positive().max(4).default(1),
  /** Per-example gradient noise cᵢ = noiseScale·hᵢ^noisePower (the notebook: C = H). */
  noisePower: z.number().min(0).max(4).default(1),
  noiseScale: z.number().positive().default(1),
  /** Target E[L] (the notebook's C = 0.01). */
  target: z.number().positive().default(0.01),
};

export interface NqmConfigFields {
  d: number;
  binning: 'bins' | 'exact';
  bins: number;
  spectrumPower: number;
  noisePower: number;
  noiseScale: number;
  target: number;
}

export function buildNqm(c: NqmConfigFields): Nqm {
  return makeNqm({
    d: c.d,
    binning: c.binning,
    bins: c.bins,
    spectrum: (i) => i ** -c.spectrumPower,
    covariance: (h) => c.noiseScale * h ** c.noisePower,
  });
}

/** The NQM settings a result was computed with (stated in every summary). */
export function describeNqm(c: NqmConfigFields, nqm: Nqm): Record<string, unknown> {
  return {
    d: c.d,
    binning: c.binning,
    bins: c.binning === 'bins' ? c.bins : null,
    groups: nqm.h.length,
    target: c.target,
    spectrum: `h_i = i^-${c.spectrumPower}`,
    covariance: `c_i = ${c.noiseScale}·h_i^${c.noisePower}`,
    initVariance: nqm.initVariance,
  };
}

/** Batch sizes 2^from … 2^to every `every`. */
export const batchShape = {
  batchFrom: z.number().int().min(0).max(30).default(2),
  batchTo: z.number().int().min(0).max(30).default(20),
  batchEvery: z.number().int().min(1).max(30).default(1),
};

export const fmtSteps = (s: number | null | undefined): string => (s === null || s === undefined ? 'unreachable' : String(s));
