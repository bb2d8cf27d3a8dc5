/**
 * Product suggestions learned from baskets — the engine's public interface.
 * Pure TypeScript (no I/O, no Node APIs): runs in the server and could be bundled anywhere.
 * Model choice, tuning, scaling, and what confidence and explanations mean:
 * docs/decisions/0005-recommendation-model.md.
 *
 *   const model = trainModel(baskets);                        // tunes itself, then builds
 *   recommend(model, { cart, k: 3, isEligible, location });   // serve
 *   updateModel(model, basket);                               // each new order
 *   serializeModel(model) / deserializeModel(json);           // store / load
 */
import type { RecommendationModel } from "./model";
import type { Hyperparameters, TuningReport } from "./types";

export { MODEL_VERSION } from "./types";
export type {
  Basket,
  Explanation,
  Hyperparameters,
  ModelSettings,
  RecommendRequest,
  Suggestion,
  TrainOptions,
  TuningCandidate,
  TuningReport,
} from "./types";
export type { RecommendationModel } from "./model";
export { DEFAULT_SETTINGS, recommend } from "./model";
export { DEFAULT_HYPERPARAMETERS, MIN_BASKETS_TO_TUNE, trainModel } from "./train";
export { updateModel } from "./update";
export { deserializeModel, ModelFormatError, serializeModel, type SerializedModel } from "./serialize";

export interface ModelInfo {
  version: string;
  /** Baskets learned from (training plus incremental updates). */
  baskets: number;
  items: number;
  /** True while the store has too little history: suggestions are best sellers only. */
  coldStart: boolean;
  hyperparameters: Hyperparameters;
  /** How the hyperparameters were chosen; null when there was too little data to tune. */
  tuning: TuningReport | null;
  /** Orders learned incrementally since the last full build. */
  updatesSinceTrain: number;
  locations: string[];
}

/** A summary for status pages and logs. */
export function modelInfo(model: RecommendationModel): ModelInfo {
  return {
    version: model.version,
    baskets: model.basketCount,
    items: model.items.size,
    coldStart: model.basketCount < model.settings.coldStartBaskets,
    hyperparameters: { ...model.hyper },
    tuning: model.tuning,
    updatesSinceTrain: model.updatesSinceTrain,
    locations: [...model.locations.keys()],
  };
}
