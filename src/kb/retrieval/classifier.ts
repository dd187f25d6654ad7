/**
 * Multinomial logistic regression (softmax) over sparse, idf-weighted, L2-normalised feature
 * vectors of an article's title and example questions: a discriminative re-ranker on top of
 * the nearest-example/centroid retrieval. Trained with a few epochs of plain SGD (a
 * deterministic shuffle), so it costs tens of milliseconds on a KB of a hundred articles.
 * Weights are dense over classes and sparse over features; only KBs up to a size limit get
 * one (above it, retrieval alone ranks).
 */

export type SparseVector = ReadonlyArray<readonly [number, number]>;

export interface TrainingExample {
  x: SparseVector;
  /** class index */
  y: number;
}

export interface SoftmaxModel {
  classes: number;
  /** feature id → weights over classes */
  weights: Map<number, Float64Array>;
  bias: Float64Array;
}

export interface SoftmaxOptions {
  epochs: number;
  learningRate: number;
  /** multiplicative weight decay per epoch (1 = none) */
  decay: number;
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxOptions = { epochs: 12, learningRate: 1, decay: 0.98 };

/** Logits of x (written into `out`, which must have model.classes entries). */
export function logits(model: SoftmaxModel, x: SparseVector, out: Float64Array): Float64Array {
  out.set(model.bias);
  for (const [f, v] of x) {
    const w = model.weights.get(f);
    if (!w) continue;
    for (let c = 0; c < model.classes; c++) out[c] = (out[c] as number) + v * (w[c] as number);
  }
  return out;
}

/** In-place softmax over the entries whose `mask` is true (others become 0). */
export function softmaxInPlace(z: Float64Array, mask?: (c: number) => boolean): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < z.length; c++) if ((!mask || mask(c)) && (z[c] as number) > max) max = z[c] as number;
  let s = 0;
  for (let c = 0; c < z.length; c++) {
    const e = !mask || mask(c) ? Math.exp((z[c] as number) - max) : 0;
    z[c] = e;
    s += e;
  }
  if (s > 0) for (let c = 0; c < z.length; c++) z[c] = (z[c] as number) / s;
  return z;
}

export function trainSoftmax(examples: readonly TrainingExample[], classes: number, options: SoftmaxOptions = DEFAULT_SOFTMAX_OPTIONS): SoftmaxModel {
  const model: SoftmaxModel = { classes, weights: new Map(), bias: new Float64Array(classes) };
  if (classes === 0 || examples.length === 0) return model;
  for (const e of examples) for (const [f] of e.x) if (!model.weights.has(f)) model.weights.set(f, new Float64Array(classes));
  // resolve each example's weight rows once: the SGD loop then runs over plain arrays
  const rows: Float64Array[][] = examples.map((e) => e.x.map(([f]) => model.weights.get(f) as Float64Array));
  const vals: Float64Array[] = examples.map((e) => Float64Array.from(e.x, ([, v]) => v));
  const order = examples.map((_, i) => i);
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const z = new Float64Array(classes);
  const bias = model.bias;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    const lr = options.learningRate / (1 + epoch * 0.5);
    for (const k of order) {
      const r = rows[k] as Float64Array[];
      const v = vals[k] as Float64Array;
      z.set(bias);
      for (let n = 0; n < r.length; n++) {
        const w = r[n] as Float64Array;
        const xv = v[n] as number;
        for (let c = 0; c < classes; c++) z[c] = (z[c] as number) + xv * (w[c] as number);
      }
      softmaxInPlace(z);
      const y = (examples[k] as TrainingExample).y;
      z[y] = (z[y] as number) - 1;
      for (let n = 0; n < r.length; n++) {
        const w = r[n] as Float64Array;
        const s = lr * (v[n] as number);
        for (let c = 0; c < classes; c++) w[c] = (w[c] as number) - s * (z[c] as number);
      }
      for (let c = 0; c < classes; c++) bias[c] = (bias[c] as number) - lr * 0.1 * (z[c] as number);
    }
    if (options.decay !== 1) for (const w of model.weights.values()) for (let c = 0; c < classes; c++) w[c] = (w[c] as number) * options.decay;
  }
  return model;
}
