export { shrinkPerturb, type ShrinkPerturbOptions } from './shrink-perturb.ts';
