/**
 * Thinning a long series before it reaches the chart. The store keeps every batch's loss; the
 * chart gets about a thousand points per line, chosen so that spikes and dips survive.
 */

/** A series as parallel x and y arrays. */
export interface Series {
  xs: number[];
  ys: number[];
}

/** The fewest points `downsample` can emit and still keep first, last, min and max. */
export const MIN_POINTS = 4;

/**
 * Bucketed min/max downsampling. Keeps the first and last points, then splits the points between
 * them into `floor((maxPoints - 2) / 2)` equal buckets and keeps each bucket's lowest and highest
 * point, in x order. So the output has at most `maxPoints` points and always contains the global
 * minimum and maximum, which averaging or striding would smooth away. A series of `maxPoints`
 * points or fewer comes back unchanged (copied). NaN values are kept only as first or last
 * point; they are never picked as a bucket's min or max.
 *
 * `xs` and `ys` must have the same length; `maxPoints` must be at least `MIN_POINTS`.
 */
export function downsample(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): Series {
  const n = ys.length;
  if (xs.length !== n) throw new RangeError(`xs has ${xs.length} values but ys has ${n}`);
  if (n <= maxPoints) return { xs: Array.from(xs), ys: Array.from(ys) };
  if (!(maxPoints >= MIN_POINTS)) throw new RangeError(`maxPoints must be at least ${MIN_POINTS}`);

  const out: Series = { xs: [xs[0]], ys: [ys[0]] };
  const interior = n - 2;
  const buckets = Math.floor((maxPoints - 2) / 2);
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * interior) / buckets);
    const end = 1 + Math.floor(((b + 1) * interior) / buckets);
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const y = ys[i];
      if (Number.isNaN(y)) continue;
      if (lo < 0 || y < ys[lo]) lo = i;
      if (hi < 0 || y > ys[hi]) hi = i;
    }
    if (lo < 0) continue; // an all-NaN bucket: leave a gap rather than invent a value
    const first = Math.min(lo, hi);
    const second = Math.max(lo, hi);
    out.xs.push(xs[first]);
    out.ys.push(ys[first]);
    if (second !== first) {
      out.xs.push(xs[second]);
      out.ys.push(ys[second]);
    }
  }
  out.xs.push(xs[n - 1]);
  out.ys.push(ys[n - 1]);
  return out;
}

/**
 * Exponential moving average, `s[i] = alpha * v[i] + (1 - alpha) * s[i - 1]`, starting from the
 * first finite value. Smaller alpha smooths more (alpha 0.02 averages roughly the last 50 values).
 * Non-finite values (a diverged batch) are skipped so one NaN does not poison the rest of the
 * line: their slot repeats the previous average (NaN until the first finite value).
 * Writes into `out` when given (same length as `values`) and returns it.
 */
export function ema(
  values: ArrayLike<number>,
  alpha: number,
  out: Float32Array = new Float32Array(values.length),
): Float32Array {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError('alpha must be in (0, 1]');
  let s = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) s = Number.isNaN(s) ? v : alpha * v + (1 - alpha) * s;
    out[i] = s;
  }
  return out;
}
