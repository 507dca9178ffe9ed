/**
 * Minimizes f over R^n with the Nelder–Mead simplex method (standard coefficients), from a
 * starting point and per-coordinate initial steps. Deterministic; enough for the 1–3
 * parameter fits of the calibration.
 */
export function nelderMead(f: (x: number[]) => number, x0: number[], step: number[], iterations = 2000, tol = 1e-12): { x: number[]; fx: number } {
  const n = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step[i]! : v)))];
  let values = simplex.map(f);
  for (let it = 0; it < iterations; it++) {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
    simplex = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    if (Math.abs(values[n]! - values[0]!) < tol) break;
    const centroid = Array.from({ length: n }, (_, j) => simplex.slice(0, n).reduce((s, p) => s + p[j]!, 0) / n);
    const along = (t: number) => centroid.map((c, j) => c + t * (simplex[n]![j]! - c));
    const xr = along(-1), fr = f(xr);
    if (fr < values[0]!) {
      const xe = along(-2), fe = f(xe);
      [simplex[n], values[n]] = fe < fr ? [xe, fe] : [xr, fr];
    } else if (fr < values[n - 1]!) {
      [simplex[n], values[n]] = [xr, fr];
    } else {
      const xc = fr < values[n]! ? along(-0.5) : along(0.5), fc = f(xc);
      if (fc < Math.min(fr, values[n]!)) [simplex[n], values[n]] = [xc, fc];
      else {
        simplex = simplex.map((p, i) => (i === 0 ? p : p.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!))));
        values = simplex.map((p, i) => (i === 0 ? values[0]! : f(p)));
      }
    }
  }
  const best = values.indexOf(Math.min(...values));
  return { x: simplex[best]!, fx: values[best]! };
}
