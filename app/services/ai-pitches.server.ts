/**
 * Cashier pitch lines: one short sentence per (cart product → suggested product) pair, written
 * ahead of time by the worker for the pairs the model suggests most, kept in AiOutput and served
 * from the serving snapshot. The suggestions answer never waits for a model: a pair without a
 * line keeps the deterministic explanation.
 */
import type { Db } from "../db.server";
import { PITCH_LINES_PROMPT } from "../ai/prompts";
import { deserializeModel, recommend } from "../../shared/recommendations";
import type { ShopRef } from "../../shared/model";
import { aiSettingsFor, runShopPrompt, saveAiOutput } from "./ai.server";
import { enqueueShopJobOnce } from "./jobs.server";

export const AI_JOB = { pitches: "ai:pitches" } as const;
export const PITCH_KIND = "pitch";
/** Best sellers whose companions get lines, and lines asked for per call. */
const PITCH_ANCHORS = 40;
const PITCH_BATCH = 10;
const PITCH_MAX_CHARS = 90;
/**
 * The longest one run waits on the model, retries included. Each call may take 20 s (a local model
 * is slow) and is retried 3 times, so a provider that accepts connections and never answers would
 * otherwise hold the worker for about 85 s: the queue behind it, and past the job's 60 s lease
 * (DEFAULT_LEASE_MS), after which a second worker would run the same job again.
 */
export const PITCH_RUN_BUDGET_MS = 30_000;

export const pitchKey = (cartProductId: string, suggestedProductId: string) => `${cartProductId}>${suggestedProductId}`;

export interface PitchPair {
  id: string;
  cartProduct: string;
  suggestedProduct: string;
  boughtTogetherPct: number;
}

/** Words a line may not use: it could read as a promise or an action the cashier did not take. */
const ACTION_WORDS =
  /\b(discount|discounts|approve|approved|approval|coupon|free|refund|price|prices|off|deal|sale|manager|instructions?)\b/i;

/** A link, an address or a domain: a spoken line has none, and a model that writes one was steered. */
const LINKS = /:\/\/|\bwww\.|@|[\p{L}\d-]+\.[\p{L}]{2,}\b|\b(visit|click|pay|payment|scan)\b/iu;

const words = (text: string) => text.toLowerCase().match(/[\p{L}]{4,}/gu) ?? [];

/**
 * The line if it may be shown, else null. Amounts never come from the model (the only number
 * allowed is the pair's own percentage), and a line naming a product outside its pair is dropped.
 */
export function acceptedPitch(text: string, pair: PitchPair, catalogTitles: readonly string[]): string | null {
  const line = text.replace(/\s+/g, " ").trim();
  if (!line || line.length > PITCH_MAX_CHARS) return null;
  if (/[$€£¥₹%]/.test(line.replace(`${pair.boughtTogetherPct}%`, ""))) return null;
  const numbers = line.match(/\d+(?:[.,]\d+)?/g) ?? [];
  if (numbers.some((number) => number !== String(pair.boughtTogetherPct))) return null;
  if (ACTION_WORDS.test(line) || LINKS.test(line)) return null;
  const lower = line.toLowerCase();
  // Grounded: it names the suggested product (by one of its words).
  if (!words(pair.suggestedProduct).some((word) => lower.includes(word))) return null;
  const inPair = `${pair.cartProduct} ${pair.suggestedProduct}`.toLowerCase();
  for (const title of catalogTitles) {
    const other = title.toLowerCase().trim();
    if (other.length < 4 || inPair.includes(other)) continue;
    if (new RegExp(`(^|[^\\p{L}])${escapeRegExp(other)}([^\\p{L}]|$)`, "u").test(lower)) return null;
  }
  return line;
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The pairs the current model suggests for the shop's best sellers, with their grounding fact. */
export async function topPitchPairs(
  db: Db,
  shopId: string,
): Promise<{ pairs: PitchPair[]; titles: Map<string, string> }> {
  const row = await db.recommendationModel.findFirst({ where: { shopId }, orderBy: { trainedAt: "desc" } });
  const products = await db.product.findMany({
    where: { shopId, deletedAt: null, status: "active" },
    select: { externalId: true, title: true },
  });
  const titles = new Map(products.map((product) => [product.externalId, product.title]));
  if (!row) return { pairs: [], titles };
  const model = deserializeModel(JSON.parse(row.data));
  const isEligible = (productId: string) => titles.has(productId);
  const anchors = recommend(model, { cart: [], k: PITCH_ANCHORS, isEligible }).map((s) => s.productId);
  const pairs = new Map<string, PitchPair>();
  for (const anchor of anchors) {
    for (const suggestion of recommend(model, { cart: [anchor], k: 3, isEligible })) {
      const why = suggestion.explanation;
      if (why.kind !== "bought_together") continue;
      const id = pitchKey(why.anchorProductId, suggestion.productId);
      pairs.set(id, {
        id,
        cartProduct: titles.get(why.anchorProductId)!,
        suggestedProduct: titles.get(suggestion.productId)!,
        boughtTogetherPct: why.pctOfAnchorBaskets,
      });
    }
  }
  return { pairs: [...pairs.values()], titles };
}

export interface PitchRun {
  asked: number;
  written: number;
  dropped: number;
  stoppedBy: string | null;
}

/** The worker's `ai:pitches` job: lines for the top pairs that have none at this prompt version. */
export async function writePitchLines(db: Db, shopId: string, now: Date): Promise<PitchRun> {
  const run: PitchRun = { asked: 0, written: 0, dropped: 0, stoppedBy: null };
  if (!(await aiSettingsFor(db, shopId)).enabled) return { ...run, stoppedBy: "off" };
  const { pairs, titles } = await topPitchPairs(db, shopId);
  const done = new Set(
    (
      await db.aiOutput.findMany({
        where: { shopId, kind: PITCH_KIND, promptVersion: PITCH_LINES_PROMPT.version },
        select: { key: true },
      })
    ).map((row) => row.key),
  );
  const todo = pairs.filter((pair) => !done.has(pair.id));
  const catalogTitles = [...titles.values()];
  const budget = AbortSignal.timeout(PITCH_RUN_BUDGET_MS);
  for (let start = 0; start < todo.length; start += PITCH_BATCH) {
    const batch = todo.slice(start, start + PITCH_BATCH);
    run.asked += batch.length;
    const answer = await runShopPrompt(
      db,
      shopId,
      PITCH_LINES_PROMPT,
      { pairs: batch },
      {
        now,
        timeoutMs: 20_000,
        maxRetries: 3,
        signal: budget,
      },
    );
    if (!answer.ok) {
      // A malformed answer costs one batch; a provider that is down, off or over budget, the run.
      if (answer.failure === "invalid_output" || answer.failure === "refused") {
        run.dropped += batch.length;
        continue;
      }
      run.stoppedBy = answer.failure;
      break;
    }
    const byId = new Map(batch.map((pair) => [pair.id, pair]));
    for (const line of answer.value.lines) {
      const pair = byId.get(line.id);
      if (pair) byId.delete(line.id);
      const text = pair ? acceptedPitch(line.text, pair, catalogTitles) : null;
      if (!pair || !text) {
        run.dropped++;
        continue;
      }
      await saveAiOutput(db, shopId, {
        kind: PITCH_KIND,
        key: pair.id,
        prompt: PITCH_LINES_PROMPT,
        model: answer.model,
        value: { text },
        now,
      });
      run.written++;
    }
    run.dropped += byId.size;
  }
  return run;
}

/** One pending pitch job per shop is enough: it covers every pair without a line. */
export async function enqueuePitchLines(db: Db, shop: ShopRef, now: Date) {
  await enqueueShopJobOnce(db, shop, AI_JOB.pitches, now);
}
