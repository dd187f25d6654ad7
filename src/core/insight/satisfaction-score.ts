// The satisfaction score (issue 17): the weighted mean Σ wᵢ·Sᵢ / Σ wᵢ over CSAT ratings (1–5),
// each weighed by its age: wᵢ = 0.5^(ageᵢ / halfLife). A rating one half-life old counts half as
// much as one given now, two half-lives old a quarter.
//
// Why a 30-day half-life by default: a one-person desk gets a handful of ratings a week, so a
// week-long half-life would let two ratings swing the score; a month lets what the founder changed
// (an article written, a bug fixed) show within weeks, while a rating from last quarter still
// counts an eighth. CSAT_HALF_LIFE_DAYS changes it.

export const DEFAULT_CSAT_HALF_LIFE_DAYS = 30;

const DAY_MS = 86_400_000;

export interface Rating {
  score: number;
  at: Date;
}

export interface SatisfactionScore {
  /** The weighted mean, 1–5; null with no ratings. */
  score: number | null;
  /** How many ratings it stands on. */
  ratings: number;
  halfLifeDays: number;
}

export function satisfactionScore(ratings: Rating[], options: { now: Date; halfLifeDays?: number }): SatisfactionScore {
  const halfLifeDays = options.halfLifeDays ?? DEFAULT_CSAT_HALF_LIFE_DAYS;
  let weighted = 0;
  let weights = 0;
  for (const rating of ratings) {
    // A rating stamped after `now` (clock skew between processes) counts as new, never more.
    const ageDays = Math.max(0, options.now.getTime() - rating.at.getTime()) / DAY_MS;
    const weight = 0.5 ** (ageDays / halfLifeDays);
    weighted += weight * rating.score;
    weights += weight;
  }
  return { score: weights > 0 ? weighted / weights : null, ratings: ratings.length, halfLifeDays };
}
