/**
 * The lexical half of KbIndex's ranking: a query's features, and idf-weighted cosines between
 * them and every document sharing one, gathered per article into two views — nearest example
 * (best cosine to the title or one question, the body discounted) and centroid (the summed
 * cosines to the title and questions over the centroid's norm) — blended into one score. It
 * owns the scratch buffers it reuses from one query to the next.
 */
import { extractFeatures } from './features.ts';
import type { RankingOptions } from './ranking.ts';
import type { TopCandidates } from './top-candidates.ts';
import type { VectorStore } from './vector-store.ts';

/** What the scorer needs of an indexed article. */
export interface LexicalArticle {
  /** doc ids of the title and questions (the centroid members) */
  readonly memberIds: readonly number[];
  readonly centroidNorm: number;
}

export class LexicalScorer {
  private docScores = new Float64Array(0);
  private slotScores = new Float64Array(0);
  private readonly touched: number[] = [];

  constructor(private readonly store: VectorStore) {}

  /**
   * A query's features: all of them (`feats`), the ones the index knows as (id, weight before
   * idf), the heaviest maxQueryFeatures only (`query`), and the idf-weighted norm of all.
   */
  queryOf(
    text: string,
    o: Pick<RankingOptions, 'features' | 'maxQueryFeatures' | 'queryCharGramsForUnknownOnlyAbove'>,
    articles: number,
  ): { feats: Array<[string, number]>; query: Array<[number, number]>; qNorm: number } {
    const isKnownTerm = articles > o.queryCharGramsForUnknownOnlyAbove ? (term: string): boolean => this.store.featureId(`w:${term}`) >= 0 : undefined;
    const feats = [...extractFeatures(text, o.features, isKnownTerm ? { isKnownTerm } : {})];
    const query: Array<[number, number]> = [];
    let qNorm2 = 0;
    for (const [f, v] of feats) {
      const id = this.store.featureId(f);
      const w = v * this.store.idf(id);
      qNorm2 += w * w;
      if (id >= 0) query.push([id, v]);
    }
    if (query.length > o.maxQueryFeatures) {
      query.sort((a, b) => b[1] * this.store.idf(b[0]) - a[1] * this.store.idf(a[0]));
      query.length = o.maxQueryFeatures;
    }
    return { feats, query, qNorm: Math.sqrt(qNorm2) || 1 };
  }

  /**
   * Offers `top` every article the query shares a feature with. `query`: (feature id, weight
   * before idf); `slots`: how many article slots the index has; `articleAt`: its article by slot.
   */
  offerMatches(
    query: ReadonlyArray<[number, number]>,
    qNorm: number,
    o: Pick<RankingOptions, 'maxDfShare' | 'nearestWeight' | 'bodyWeight'>,
    slots: number,
    articleAt: (slot: number) => LexicalArticle | undefined,
    top: TopCandidates,
  ): void {
    const docs = this.store.docs;
    if (this.docScores.length < docs.length) this.docScores = new Float64Array(Math.max(1024, docs.length * 2));
    const scores = this.docScores;
    const touched = this.touched;
    touched.length = 0;
    this.store.accumulate(query, scores, touched, o.maxDfShare);

    // per article slot: best member cosine, best body cosine, sum of cosines over members
    if (this.slotScores.length < slots * 3) this.slotScores = new Float64Array(Math.max(256, slots * 6));
    const acc = this.slotScores;
    const hitSlots: number[] = [];
    for (const docId of touched) {
      const dot = scores[docId] as number;
      scores[docId] = 0;
      const d = docs[docId];
      if (!d || !d.alive) continue;
      const cos = dot / (d.norm * qNorm);
      const base = d.article * 3;
      if (acc[base] === 0 && acc[base + 1] === 0 && acc[base + 2] === 0) hitSlots.push(d.article);
      if (d.kind === 'body') acc[base + 1] = Math.max(acc[base + 1] as number, cos);
      else {
        if (cos > (acc[base] as number)) acc[base] = cos;
        acc[base + 2] = (acc[base + 2] as number) + cos;
      }
    }
    for (const slot of hitSlots) {
      const base = slot * 3;
      const member = acc[base] as number;
      const body = acc[base + 1] as number;
      const sumCos = acc[base + 2] as number;
      acc[base] = 0;
      acc[base + 1] = 0;
      acc[base + 2] = 0;
      const entry = articleAt(slot);
      if (!entry) continue;
      const n = Math.max(1, entry.memberIds.length);
      const centroid = sumCos / n / entry.centroidNorm;
      const nearest = Math.max(member, body * o.bodyWeight);
      top.offer(o.nearestWeight * nearest + (1 - o.nearestWeight) * centroid, slot, nearest, centroid);
    }
  }
}
