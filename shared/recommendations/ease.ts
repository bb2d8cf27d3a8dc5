/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the item-item
 * weight matrix B minimizing ||X - XB||² + λ||B||² with diag(B) = 0 has the closed form
 * P = (XᵀX + λI)⁻¹, B[i][j] = -P[i][j] / P[j][j]. XᵀX is the co-occurrence matrix with item
 * counts on the diagonal, which we already have. It is dense (n² memory, n³ time), so it is
 * solved only over the `n` most frequent items (ModelSettings.maxDenseItems).
 */
import type { Csr } from "./counting";

/**
 * In-place inverse of a symmetric positive definite matrix (row-major, n×n) through Cholesky:
 * A = LLᵀ, L⁻¹ by forward substitution, A⁻¹ = L⁻ᵀL⁻¹. Every inner loop runs over contiguous
 * rows (about n³/2 multiply-adds in all). Returns the inverse (a new array); `a` is overwritten.
 */
export function invertSpd(a: Float64Array, n: number): Float64Array {
  // Cholesky, lower triangle of `a` becomes L.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error("EASE: matrix is not positive definite (lambda too small?)");
        a[ri + i] = Math.sqrt(s);
      } else a[ri + j] = s / a[rj + j]!;
    }
  }
  // W = L⁻¹ (lower): row i = (e_i - Σ_{k<i} L[i][k] W[k]) / L[i][i].
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const f = a[ri + k]!;
      if (f === 0) continue;
      const rk = k * n;
      for (let t = 0; t <= k; t++) w[ri + t]! -= f * w[rk + t]!;
    }
    w[ri + i] = 1;
    const d = a[ri + i]!;
    for (let t = 0; t <= i; t++) w[ri + t]! /= d;
  }
  // A⁻¹ = WᵀW: (A⁻¹)[i][j] = Σ_k W[k][i] W[k][j]; accumulate the lower triangle row by row of W.
  a.fill(0);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const f = w[rk + i]!;
      if (f === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) a[ri + j]! += f * w[rk + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
  return a;
}

/** The dense EASE weights over `subset` (item indices), row-major: weights[a * n + b] = B[a][b]. */
export interface DenseEase {
  subset: Int32Array;
  /** Position of each item in `subset`, -1 when outside. */
  position: Int32Array;
  weights: Float32Array;
  /** Intercept per subset position: the weights of a pseudo-item present in every basket. */
  bias: Float32Array;
}

/**
 * Solves EASE over `subset`, with an intercept: a pseudo-item present in every basket, whose
 * weights become a per-item bias (a base rate the item weights then need not encode; measured
 * +0.003 HR@3 on groceries). λ is relative to the mean item count of the subset, so the same grid
 * means the same strength on a month of a corner shop and a year of a chain.
 */
export function solveEase(
  pairs: Csr,
  itemBaskets: Float64Array,
  basketCount: number,
  subset: Int32Array,
  itemCount: number,
  relativeLambda: number,
): DenseEase {
  const n = subset.length;
  const m = n + 1; // + the intercept pseudo-item, last
  const position = new Int32Array(itemCount).fill(-1);
  for (let s = 0; s < n; s++) position[subset[s]!] = s;
  let mean = 0;
  for (const i of subset) mean += itemBaskets[i]!;
  mean = n > 0 ? mean / n : 1;
  const lambda = Math.max(1e-3, relativeLambda * mean);
  const g = new Float64Array(m * m);
  for (let s = 0; s < n; s++) {
    const a = subset[s]!;
    g[s * m + s] = itemBaskets[a]! + lambda;
    g[s * m + n] = itemBaskets[a]!;
    g[n * m + s] = itemBaskets[a]!;
    for (let p = pairs.start[a]!; p < pairs.start[a + 1]!; p++) {
      const t = position[pairs.col[p]!]!;
      if (t >= 0) g[s * m + t] = pairs.value[p]!;
    }
  }
  g[n * m + n] = basketCount + lambda;
  const inv = invertSpd(g, m);
  const weights = new Float32Array(n * n);
  const bias = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    const d = inv[b * m + b]!;
    for (let a = 0; a < n; a++) if (a !== b) weights[a * n + b] = -inv[a * m + b]! / d;
    bias[b] = -inv[n * m + b]! / d;
  }
  return { subset, position, weights, bias };
}
