/**
 * The QR parametrization: U = qf(W), the thin Q factor of an unconstrained W (n×k) with diag(R) ≥ 0
 * (linalg.qr's convention), so UᵀU = I_k for every W and the eigen losses can be minimized by any
 * unconstrained optimizer. Derivatives come from the engine's QR rule (tensor/linalg-rules.ts).
 */
import type { Tensor } from '../../tensor/tensor.ts';
import { mul, sum, matmul } from '../../tensor/ops.ts';
import { qr } from '../../linalg/index.ts';

export const orthonormalBasis = (w: Tensor): Tensor => qr(w).Q;

/** Column-wise Rayleigh quotients dᵢ = uᵢᵀ A uᵢ, differentiable in both U and A. */
export const rayleighQuotients = (u: Tensor, a: Tensor): Tensor => sum(mul(u, matmul(a, u)), 0);

/** Column-wise bilinear values σᵢ = uᵢᵀ X vᵢ (the SVD variant's estimates). */
export const bilinearDiagonal = (u: Tensor, x: Tensor, v: Tensor): Tensor => sum(mul(u, matmul(x, v)), 0);
