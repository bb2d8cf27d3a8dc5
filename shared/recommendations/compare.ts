/**
 * The candidates ADR 0005 compares, and one evaluation run of the protocol (split, train on the
 * train part only, leave-one-out on the test part, popularity on the same split). Pure: the clock
 * comes in as `now`. Used by scripts/eval-recs.ts and the tests.
 */
import {
  countDistinctItems,
  leaveOneOut,
  percentile,
  popularityRecommender,
  splitBaskets,
  type CartRecommender,
} from "./evaluation";
import { recommend, type RecommendationModel } from "./model";
import { trainRules } from "./rules";
import { trainModel } from "./train";
import type { Basket, Hyperparameters, TuningReport } from "./types";

export const CANDIDATES = {
  /** The served model: co-occurrence, EASE and popularity blended, everything tuned. */
  auto: "tuned blend of co-occurrence, EASE (with intercept) and popularity (the served model)",
  /** Co-occurrence alone, damping α and popularity weight β tuned. */
  cooc: "co-occurrence, asymmetric cosine (alpha) + popularity (beta), tuned",
  /** Co-occurrence with α = 1: the sum of P(item | cart item), nothing tuned. */
  cp: "co-occurrence, sum of smoothed P(item | cart item), untuned",
  /** EASE alone (with intercept), λ tuned. */
  ease: "EASE with intercept, lambda tuned",
  /** Association rules, min support and antecedent size tuned; best sellers fill. */
  rules: "association rules (1-2 item antecedents), min support tuned",
  popularity: "best sellers not in the cart",
} as const;

export type CandidateName = keyof typeof CANDIDATES;

export interface TrainedCandidate {
  recommend: CartRecommender;
  /** What was chosen (for the readable report). */
  describe: string;
  hyper: Hyperparameters | null;
  tuning: TuningReport | null;
}

function fromModel(model: RecommendationModel): TrainedCandidate {
  return {
    recommend: (cart, k) => recommend(model, { cart, k }).map((s) => s.productId),
    describe: JSON.stringify(model.hyper),
    hyper: { ...model.hyper },
    tuning: model.tuning,
  };
}

export function trainCandidate(
  name: CandidateName,
  train: readonly Basket[],
  k: number,
  seed: number,
): TrainedCandidate {
  switch (name) {
    case "auto":
      return fromModel(trainModel(train, { k, seed }));
    case "cooc":
      return fromModel(trainModel(train, { k, seed, fixed: { easeWeight: 0, easeLambda: 0 } }));
    case "cp":
      return fromModel(
        trainModel(train, { k, seed, tune: false, fixed: { alpha: 1, popularityWeight: 0, easeWeight: 0 } }),
      );
    case "ease":
      return fromModel(trainModel(train, { k, seed, fixed: { easeWeight: 1, popularityWeight: 0 } }));
    case "rules": {
      const rules = trainRules(train, { k, seed });
      return {
        recommend: rules.recommend,
        describe: `minSupport ${rules.minSupport} baskets, antecedents up to ${rules.maxAntecedent} items`,
        hyper: null,
        tuning: null,
      };
    }
    case "popularity":
      return { recommend: popularityRecommender(train), describe: "best sellers", hyper: null, tuning: null };
  }
}

/** The JSON `npm run eval:recs -- --json` prints (exactly these keys). */
export interface EvaluationSummary {
  k: number;
  baskets: number;
  items: number;
  queries: number;
  hitRate: number;
  popularityHitRate: number;
  trainMs: number;
  p50Micros: number;
  p99Micros: number;
}

export interface EvaluationRun {
  summary: EvaluationSummary;
  split: "time" | "shuffle";
  trainBaskets: number;
  testBaskets: number;
  candidate: CandidateName;
  trained: TrainedCandidate;
}

export function evaluateCandidate(
  baskets: readonly Basket[],
  options: { k: number; seed: number; candidate: CandidateName; now: () => number },
): EvaluationRun {
  const { k, seed, candidate, now } = options;
  const split = splitBaskets(baskets, { seed });
  const t0 = now();
  const trained = trainCandidate(candidate, split.train, k, seed);
  const trainMs = now() - t0;
  const result = leaveOneOut(split.test, trained.recommend, k, now);
  const popularity = leaveOneOut(split.test, popularityRecommender(split.train), k);
  const round = (x: number, digits: number) => Number(x.toFixed(digits));
  return {
    summary: {
      k,
      baskets: baskets.length,
      items: countDistinctItems(baskets),
      queries: result.queries,
      hitRate: round(result.hitRate, 6),
      popularityHitRate: round(popularity.hitRate, 6),
      trainMs: Math.round(trainMs),
      p50Micros: round(percentile(result.latenciesMicros, 50), 1),
      p99Micros: round(percentile(result.latenciesMicros, 99), 1),
    },
    split: split.by,
    trainBaskets: split.train.length,
    testBaskets: split.test.length,
    candidate,
    trained,
  };
}
