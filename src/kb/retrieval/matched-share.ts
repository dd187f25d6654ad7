/**
 * The `matched` ranking feature: the share of the query's word weight (idf², words only) found
 * anywhere in an article. An article's features are marked with a fresh stamp rather than put
 * in a set per candidate, so measuring costs no allocation on the query path.
 */
import type { VectorStore } from './vector-store.ts';

export interface QueryWords {
  /** (feature id, squared idf weight) of each word feature of the query */
  weights: ReadonlyArray<readonly [number, number]>;
  /** their sum */
  mass: number;
}

export class MatchedShare {
  /** feature id → stamp of the last article marked */
  private featStamp = new Int32Array(0);
  private stamp = 0;

  constructor(private readonly store: VectorStore) {}

  /** The query's word features and their weights. */
  weigh(feats: ReadonlyArray<readonly [string, number]>): QueryWords {
    const weights = feats
      .filter(([f]) => f.startsWith('w:'))
      .map(([f, v]) => {
        const id = this.store.featureId(f);
        const w = v * this.store.idf(id);
        return [id, w * w] as const;
      });
    return { weights, mass: weights.reduce((a, [, w]) => a + w, 0) };
  }

  /** Share of the query's word weight found in the documents `docIds` (an article's). */
  share(docIds: readonly number[], words: QueryWords): number {
    const stamp = this.nextStamp();
    const marks = this.featStamp;
    for (const id of docIds) {
      const fs = this.store.docs[id]?.feats;
      if (!fs) continue;
      for (let i = 0; i < fs.length; i++) {
        const f = fs[i] as number;
        if (f >= 0 && f < marks.length) marks[f] = stamp;
      }
    }
    let m = 0;
    for (const [id, w] of words.weights) if (id >= 0 && id < marks.length && marks[id] === stamp) m += w;
    return m / words.mass;
  }

  /** A new stamp (marks sized to the feature vocabulary; reset on wrap-around). */
  private nextStamp(): number {
    const n = this.store.featureCount;
    if (this.featStamp.length < n) this.featStamp = new Int32Array(Math.max(1024, n * 2));
    if (++this.stamp >= 0x7fffffff) {
      this.featStamp.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }
}
