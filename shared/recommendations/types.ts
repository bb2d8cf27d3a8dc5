/**
 * Public types of the recommendation engine (see ./index.ts for the functions and
 * docs/decisions/0005-recommendation-model.md for the model and its measurements).
 */

/** Bump when the serialized shape or the meaning of a field changes; old models are then rebuilt. */
export const MODEL_VERSION = "recs-v1";

/** One order reduced to what the engine learns from: the distinct product ids in it. */
export interface Basket {
  items: readonly string[];
  /** The location (store) it was sold at; enables per-location best sellers. */
  location?: string | null;
  /** Milliseconds since the epoch; when every basket has one, validation holds out the latest. */
  time?: number | null;
}

/** What `trainModel` tunes (on a validation split carved out of its own input). */
export interface Hyperparameters {
  /**
   * Popularity damping of co-occurrence: the weight of item j for anchor a is
   * together(a, j) / ((baskets(a) + m)^alpha * baskets(j)^(1 - alpha)), m = confidencePrior.
   * 1 = P(j | a) (smoothed), 0.5 = cosine.
   */
  alpha: number;
  /** Weight of the item's share of baskets in its score (on top of the smoothing; ADR 0005). */
  popularityWeight: number;
  /** Share of EASE in the score, against co-occurrence (0 = co-occurrence only, 1 = EASE only). */
  easeWeight: number;
  /** L2 regularization of EASE, as a multiple of the dense subset's mean item count (0 = no EASE). */
  easeLambda: number;
  /** Neighbours kept per item (sparse top-K lists). */
  neighbours: number;
}

/** Fixed policy, not tuned: thresholds that decide what the engine is allowed to claim. */
export interface ModelSettings {
  /** Below this many baskets the model serves best sellers only (cold start). */
  coldStartBaskets: number;
  /** Baskets together needed before a suggestion is explained as "bought together". */
  minBasketsTogether: number;
  /**
   * Pseudo-baskets at the store's rates added to every anchor: shrinks P(item | anchor) toward
   * P(item) in the confidence and in the score, so thinly sold anchors lean on best sellers.
   */
  confidencePrior: number;
  /** Orders with more distinct products than this count for popularity but not for pairs. */
  maxPairBasketSize: number;
  /** Baskets a location needs before its own best sellers are trusted over the store's. */
  minLocationBaskets: number;
  /** Largest item count for which a dense EASE is solved (the most frequent items beyond). */
  maxDenseItems: number;
}

export type Explanation =
  | {
      kind: "bought_together";
      /** The cart product this suggestion is most often bought with. */
      anchorProductId: string;
      /** round(100 * basketsTogether / anchorBaskets): "bought together in 23% of baskets with …". */
      pctOfAnchorBaskets: number;
      /** Baskets holding both the anchor and the suggestion. */
      basketsTogether: number;
      /** Baskets holding the anchor. */
      anchorBaskets: number;
    }
  | {
      kind: "popular";
      /** "location" when ranked among that location's sales, else the whole store. */
      scope: "location" | "store";
      location: string | null;
      /** 1 = the best seller in that scope. */
      rank: number;
      /** round(100 * basketsWithItem / baskets) in that scope. */
      pctOfBaskets: number;
      basketsWithItem: number;
    };

export interface Suggestion {
  productId: string;
  /** Ranking score (comparable within one answer only). */
  score: number;
  /**
   * In [0, 1]: for "bought_together", P(suggestion | anchor) from the counts, shrunk toward the
   * suggestion's overall share by `confidencePrior` pseudo-baskets; for "popular", the share of
   * baskets (at the location when ranked there) that hold it. See ADR 0005.
   */
  confidence: number;
  explanation: Explanation;
}

export interface RecommendRequest {
  /** Product ids in the cart (duplicates and unknown ids are fine). */
  cart: readonly string[];
  /** How many suggestions at most. */
  k: number;
  /** The caller's filter (stock at the location, active, exclusions); absent = everything. */
  isEligible?: (productId: string) => boolean;
  location?: string | null;
}

export interface TuningCandidate {
  hyper: Hyperparameters;
  hitRate: number;
}

/** How the hyperparameters were chosen; null inside the model when there was too little data. */
export interface TuningReport {
  by: "time" | "shuffle";
  k: number;
  fitBaskets: number;
  validationBaskets: number;
  validationQueries: number;
  popularityHitRate: number;
  chosenHitRate: number;
  tried: TuningCandidate[];
  /** Items in the dense EASE subset (0 = EASE not tried). */
  denseItems: number;
}

export interface TrainOptions {
  /** The k suggestions are tuned for (HR@k on validation). Default 3. */
  k?: number;
  /** Seed of the validation shuffle when baskets have no times. Default 42. */
  seed?: number;
  /** Fix hyperparameters instead of tuning (for comparisons and tests); unset fields are tuned. */
  fixed?: Partial<Hyperparameters>;
  /** Skip tuning and use the defaults (plus `fixed`). */
  tune?: boolean;
  settings?: Partial<ModelSettings>;
  /** Upper bound on validation queries evaluated per candidate (bounds train time). Default 20,000. */
  maxValidationQueries?: number;
  /** Pair-count buffer budget in entries (4 bytes each); rows are counted in chunks that fit. */
  pairBufferEntries?: number;
}
