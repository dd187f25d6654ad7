/**
 * Tiny weighted binary logistic regression (batch gradient descent with L2), used to map
 * ranking features to calibrated probabilities.
 */

export interface LogisticModel {
  weights: number[];
  bias: number;
}

export interface LabelledSample {
  x: number[];
  y: 0 | 1;
  weight: number;
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export function predict(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  for (let i = 0; i < model.weights.length; i++) z += (model.weights[i] as number) * (x[i] ?? 0);
  return sigmoid(z);
}

/** Fit by full-batch gradient descent on standardised features (weights returned unscaled). */
export function fitLogistic(samples: readonly LabelledSample[], dims: number, l2 = 1e-3, iterations = 500): LogisticModel {
  let totalWeight = 0;
  let positive = 0;
  const mean = new Array<number>(dims).fill(0);
  const std = new Array<number>(dims).fill(0);
  for (const s of samples) {
    totalWeight += s.weight;
    positive += s.y * s.weight;
    for (let i = 0; i < dims; i++) mean[i] = (mean[i] as number) + s.weight * (s.x[i] ?? 0);
  }
  if (totalWeight === 0) return { weights: new Array<number>(dims).fill(0), bias: 0 };
  for (let i = 0; i < dims; i++) mean[i] = (mean[i] as number) / totalWeight;
  for (const s of samples) {
    for (let i = 0; i < dims; i++) std[i] = (std[i] as number) + s.weight * ((s.x[i] ?? 0) - (mean[i] as number)) ** 2;
  }
  for (let i = 0; i < dims; i++) std[i] = Math.sqrt((std[i] as number) / totalWeight) || 1;
  const xs = samples.map((s) => s.x.map((v, i) => (v - (mean[i] as number)) / (std[i] as number)));
  const p0 = Math.min(0.99, Math.max(0.01, positive / totalWeight));
  const w = new Array<number>(dims).fill(0);
  let b = Math.log(p0 / (1 - p0));
  const gw = new Array<number>(dims).fill(0);
  const lr = 1;
  for (let it = 0; it < iterations; it++) {
    gw.fill(0);
    let gb = 0;
    for (let k = 0; k < samples.length; k++) {
      const s = samples[k] as LabelledSample;
      const x = xs[k] as number[];
      let z = b;
      for (let i = 0; i < dims; i++) z += (w[i] as number) * (x[i] as number);
      const err = (sigmoid(z) - s.y) * s.weight;
      gb += err;
      for (let i = 0; i < dims; i++) gw[i] = (gw[i] as number) + err * (x[i] as number);
    }
    const step = lr / totalWeight;
    b -= step * gb;
    for (let i = 0; i < dims; i++) w[i] = (w[i] as number) - step * ((gw[i] as number) + l2 * totalWeight * (w[i] as number));
  }
  const weights = w.map((v, i) => v / (std[i] as number));
  const bias = b - weights.reduce((acc, v, i) => acc + v * (mean[i] as number), 0);
  return { weights, bias };
}
