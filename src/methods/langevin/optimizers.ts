/**
 * The four chains compared in the experiments, by name, with one set of hyper-parameters:
 * - 'gld':   semi-implicit GLD with the ℋ_K prior (gld.ts);
 * - 'gd':    GD + weight decay = the same semi-implicit step without noise (proximal GD on F);
 * - 'sgld':  plain SGLD (`optim.langevin`) with an isotropic Gaussian prior λ‖W‖²/2 (explicit);
 * - 'psgld': pSGLD (TFP defaults) with the same isotropic prior.
 * The SGLD variants use the isotropic prior because the ℋ_K prior is stiff (λ/μ_M) and explicit
 * steps with it diverge at our η (`explicitGld`, kept to show exactly that).
 */
import { chain } from '../../optim/chain.ts';
import { langevin } from '../../optim/aliases.ts';
import { addDecayedWeights } from '../../optim/weight-decay.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import type { Key } from '../../tensor/prng.ts';
import { gdWeightDecay, gld, checkGldArgs } from './gld.ts';
import { addHilbertDecay } from './hilbert-decay.ts';
import { psgld } from './psgld.ts';

export const LANGEVIN_METHODS = ['gld', 'gd', 'sgld', 'psgld'] as const;
export type LangevinMethod = (typeof LANGEVIN_METHODS)[number];

export interface MethodHyper {
  lr: number;
  beta: number;
  lambda: number;
  mu: ArrayLike<number>;
  key?: Key;
}

/** SGLD with the isotropic prior: θ ← θ − η(g + λθ) + √(2η/β)ξ. */
export function sgldIsotropic(h: MethodHyper): GradientTransformation<any> {
  checkGldArgs('langevin.sgldIsotropic', h.lr, h);
  return { ...chain(addDecayedWeights(h.lambda), langevin(h.lr, { beta: h.beta, key: h.key })), name: `sgld(lr=${h.lr}, beta=${h.beta}, lambda=${h.lambda})` };
}

/** Explicit Euler of the GLD SDE: θ ← θ − η(g + λθ/μ) + √(2η/β)ξ; unstable once η > 2μ_M/λ. */
export function explicitGld(h: MethodHyper): GradientTransformation<any> {
  checkGldArgs('langevin.explicitGld', h.lr, h);
  return {
    ...chain(addHilbertDecay(h.lambda, h.mu), langevin(h.lr, { beta: h.beta, key: h.key })),
    name: `explicitGld(lr=${h.lr}, beta=${h.beta}, lambda=${h.lambda})`,
  };
}

export function makeLangevinOptimizer(method: LangevinMethod, h: MethodHyper): GradientTransformation<any> {
  switch (method) {
    case 'gld':
      return gld(h.lr, h);
    case 'gd':
      return gdWeightDecay(h.lr, h);
    case 'sgld':
      return sgldIsotropic(h);
    case 'psgld': {
      checkGldArgs('langevin.psgld', h.lr, h);
      return {
        ...chain(addDecayedWeights(h.lambda), psgld(h.lr, { beta: h.beta, key: h.key })),
        name: `psgld(lr=${h.lr}, beta=${h.beta}, lambda=${h.lambda})`,
      };
    }
    default:
      throw new Error(`langevin: unknown method '${String(method)}' (have ${LANGEVIN_METHODS.join(', ')})`);
  }
}
