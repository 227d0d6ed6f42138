/** Ordinary least-squares line y ≈ intercept + slope·x with R², for log–log and log-linear rate fits. */
export interface LineFit {
  slope: number;
  intercept: number;
  r2: number;
  points: number;
}

export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
  const pts = xs.map((x, i) => [x, ys[i]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const n = pts.length;
  if (n < 2) return { slope: NaN, intercept: NaN, r2: NaN, points: n };
  const mx = pts.reduce((s, [x]) => s + x, 0) / n;
  const my = pts.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (const [x, y] of pts) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  const r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1;
  return { slope, intercept: my - slope * mx, r2, points: n };
}

/** Slope of log(y) against log(x) (a power law's exponent); non-positive y are dropped. */
export const logLogSlope = (xs: readonly number[], ys: readonly number[]): LineFit =>
  fitLine(
    xs.map(Math.log),
    ys.map((y) => (y > 0 ? Math.log(y) : NaN)),
  );
