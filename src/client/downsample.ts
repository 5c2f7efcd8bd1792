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
 * TensorBoard's smoothing: an exponential moving average with start-up bias correction, so the
 * first points are not dragged towards 0. With `weight` w, each step of x decays the average by
 * w^(x[i] - x[i - 1]) (one step a value when `xs` is null), so series measured at different
 * intervals smooth over the same span of x. Debiased: s[i] = acc[i] / norm[i], where, from 0,
 * acc = d * acc + (1 - d) * v and norm = d * norm + (1 - d); for evenly spaced values norm is
 * 1 - w^n, TensorBoard's correction. w = 0 leaves the values as they are. Non-finite values (a
 * diverged batch) are skipped: their slot repeats the previous average (NaN before the first).
 */
export function debiasedEma(
  values: ArrayLike<number>,
  weight: number,
  xs: ArrayLike<number> | null = null,
  out: Float32Array = new Float32Array(values.length),
): Float32Array {
  if (!(weight >= 0 && weight < 1)) throw new RangeError('weight must be in [0, 1)');
  let acc = 0;
  let norm = 0;
  let lastX = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      const x = xs ? xs[i] : i;
      // Before the first value the average is 0 with no weight: that is the bias corrected for.
      const decay = Number.isNaN(lastX) ? weight : weight ** Math.max(0, x - lastX);
      acc = decay * acc + (1 - decay) * v;
      norm = decay * norm + (1 - decay);
      lastX = x;
    }
    out[i] = norm > 0 ? acc / norm : Number.NaN;
  }
  return out;
}
