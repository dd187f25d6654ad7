/**
 * The best `capacity` candidates of a query, kept in typed arrays sorted ascending (worst at
 * 0): choosing them costs no per-article object, which is what keeps a 10,000-article KB fast.
 */
export class TopCandidates {
  private score = new Float64Array(0);
  private slot = new Int32Array(0);
  private nearest = new Float64Array(0);
  private centroid = new Float64Array(0);
  private kept = 0;
  private capacity = 0;

  /** Empty the list and make room for `capacity` candidates (storage is reused between queries). */
  reset(capacity: number): void {
    if (this.score.length < capacity) {
      this.score = new Float64Array(capacity);
      this.slot = new Int32Array(capacity);
      this.nearest = new Float64Array(capacity);
      this.centroid = new Float64Array(capacity);
    }
    this.capacity = capacity;
    this.kept = 0;
  }

  offer(score: number, slot: number, nearest: number, centroid: number): void {
    const s = this.score;
    let j: number;
    if (this.kept < this.capacity) {
      // filling: shift larger entries up
      j = this.kept++;
      while (j > 0 && (s[j - 1] as number) > score) {
        this.move(j - 1, j);
        j--;
      }
    } else if (this.kept > 0 && score > (s[0] as number)) {
      // full: drop the worst (index 0), shift smaller entries down
      j = 0;
      while (j + 1 < this.kept && (s[j + 1] as number) < score) {
        this.move(j + 1, j);
        j++;
      }
    } else return;
    s[j] = score;
    this.slot[j] = slot;
    this.nearest[j] = nearest;
    this.centroid[j] = centroid;
  }

  /** The kept candidates, best first. */
  *bestFirst(): Generator<{ score: number; slot: number; nearest: number; centroid: number }> {
    for (let j = this.kept - 1; j >= 0; j--) {
      yield { score: this.score[j] as number, slot: this.slot[j] as number, nearest: this.nearest[j] as number, centroid: this.centroid[j] as number };
    }
  }

  private move(from: number, to: number): void {
    this.score[to] = this.score[from] as number;
    this.slot[to] = this.slot[from] as number;
    this.nearest[to] = this.nearest[from] as number;
    this.centroid[to] = this.centroid[from] as number;
  }
}
