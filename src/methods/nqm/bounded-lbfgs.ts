/**
 * A small L-BFGS with upper bounds (x ≤ ub), for the schedule optimizer (the notebook uses
 * scipy's L-BFGS-B with only an upper bound). Projected quasi-Newton: coordinates pinned at the
 * bound with the gradient pushing outward are frozen for the step, the two-loop recursion runs
 * on the free ones, and an Armijo backtracking search projects every trial point.
 */

export interface BoundedLbfgsOptions {
  upper: number;
  maxIter?: number;
  memory?: number;
  /** Stop when the projected gradient's max-norm falls below this. */
  gradTol?: number;
}

export interface BoundedLbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
}

export function boundedLbfgs(fg: (x: Float64Array) => { f: number; g: Float64Array }, x0: Float64Array, o: BoundedLbfgsOptions): BoundedLbfgsResult {
  const n = x0.length;
  const ub = o.upper;
  const maxIter = o.maxIter ?? 200;
  const memory = o.memory ?? 10;
  const gradTol = o.gradTol ?? 1e-8;
  const proj = (v: Float64Array): Float64Array => v.map((xi) => Math.min(xi, ub));
  let x = proj(x0);
  let { f, g } = fg(x);
  let evaluations = 1;
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  let it = 0;
  for (; it < maxIter; it++) {
    if (!Number.isFinite(f)) throw new Error(`boundedLbfgs: objective is not finite (${f}) at iteration ${it}`);
    const pinned = (i: number): boolean => x[i]! >= ub - 1e-12 && g[i]! < 0;
    let pgNorm = 0;
    for (let i = 0; i < n; i++) if (!pinned(i)) pgNorm = Math.max(pgNorm, Math.abs(g[i]!));
    if (pgNorm < gradTol) break;
    // Two-loop recursion on the free coordinates.
    const q = g.map((gi, i) => (pinned(i) ? 0 : gi));
    const alphas: number[] = [];
    for (let m = ss.length - 1; m >= 0; m--) {
      const rho = 1 / dot(ys[m]!, ss[m]!);
      const a = rho * dot(ss[m]!, q);
      alphas[m] = a;
      for (let i = 0; i < n; i++) q[i] = q[i]! - a * ys[m]![i]!;
    }
    const last = ss.length - 1;
    const scale = last >= 0 ? dot(ss[last]!, ys[last]!) / dot(ys[last]!, ys[last]!) : 1 / Math.max(1, pgNorm);
    for (let i = 0; i < n; i++) q[i] = q[i]! * scale;
    for (let m = 0; m < ss.length; m++) {
      const rho = 1 / dot(ys[m]!, ss[m]!);
      const b = rho * dot(ys[m]!, q);
      for (let i = 0; i < n; i++) q[i] = q[i]! + (alphas[m]! - b) * ss[m]![i]!;
    }
    let d = q.map((v, i) => (pinned(i) ? 0 : -v));
    if (!(dot(d, g) < 0)) d = g.map((gi, i) => (pinned(i) ? 0 : -gi));
    let t = 1;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++, t *= 0.5) {
      const xn = proj(x.map((xi, i) => xi + t * d[i]!));
      const r = fg(xn);
      evaluations++;
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += g[i]! * (xn[i]! - x[i]!);
      if (Number.isFinite(r.f) && r.f <= f + 1e-4 * decrease) {
        // A full step that was accepted at once may be far too short (the curvature seen from a
        // distant region): extend it while the objective keeps falling.
        let xb = xn;
        let rb = r;
        if (t === 1) {
          for (let grow = 2; grow <= 2 ** 20; grow *= 2) {
            const xg = proj(x.map((xi, i) => xi + grow * d[i]!));
            const rg = fg(xg);
            evaluations++;
            if (!(Number.isFinite(rg.f) && rg.f < rb.f)) break;
            xb = xg;
            rb = rg;
          }
        }
        const s = xb.map((v, i) => v - x[i]!);
        const y = rb.g.map((v, i) => v - g[i]!);
        if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
          ss.push(s);
          ys.push(y);
          if (ss.length > memory) {
            ss.shift();
            ys.shift();
          }
        }
        const df = f - rb.f;
        x = xb;
        f = rb.f;
        g = rb.g;
        accepted = df > 1e-12 * Math.max(1, Math.abs(f));
        break;
      }
    }
    if (!accepted) break;
  }
  return { x, f, iterations: it, evaluations };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
