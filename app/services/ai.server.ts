/**
 * The AI layer's gate for a shop (ADR 0012): the shop's switch, its daily token budget, personal
 * data out of every string before it leaves, usage recorded, and outputs kept with the prompt
 * version that made them. Callers always have a deterministic answer to fall back to.
 */
import type { Db } from "../db.server";
import { env } from "../env.server";
import type { Prompt } from "../ai/prompts";
import { redactPii } from "../../shared/redact";
import { LlmClient, type LlmAnswer, type LlmCallOptions } from "./llm.server";

export const DEFAULT_DAILY_TOKEN_BUDGET = 200_000;

export type ShopAnswer<T> = LlmAnswer<T> | { ok: false; failure: "off" | "not_configured" | "budget"; detail: string };

let client: LlmClient | null | undefined;
let clientKey = "";

/** The process's client (one circuit breaker per process), or null when no model is configured. */
export function aiClient(): LlmClient | null {
  const { OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL } = env();
  const key = `${OPENAI_API_KEY ?? ""}|${OPENAI_BASE_URL ?? ""}|${OPENAI_MODEL ?? ""}`;
  if (client === undefined || key !== clientKey) {
    clientKey = key;
    client =
      OPENAI_API_KEY && OPENAI_MODEL
        ? new LlmClient({ apiKey: OPENAI_API_KEY, baseURL: OPENAI_BASE_URL, model: OPENAI_MODEL })
        : null;
  }
  return client;
}

/** For tests: a client with a fresh breaker (or none), as if the process had just started. */
export function resetAiClient() {
  client = undefined;
}

export async function aiSettingsFor(db: Db, shopId: string) {
  const row = await db.aiSettings.findUnique({ where: { shopId } });
  return { enabled: row?.enabled ?? false, dailyTokenBudget: row?.dailyTokenBudget ?? DEFAULT_DAILY_TOKEN_BUDGET };
}

export const usageDay = (now: Date) => now.toISOString().slice(0, 10);

export async function aiUsageToday(db: Db, shopId: string, now: Date) {
  const row = await db.aiUsage.findUnique({ where: { shopId_day: { shopId, day: usageDay(now) } } });
  return { tokens: row?.tokens ?? 0, requests: row?.requests ?? 0, failures: row?.failures ?? 0 };
}

/** Every string in `data` with personal data replaced by placeholders (never restored here). */
export function redactData(data: unknown, known: { names?: string[]; customerIds?: string[] }): unknown {
  if (typeof data === "string") return redactPii(data, known).text;
  if (Array.isArray(data)) return data.map((item) => redactData(item, known));
  if (data && typeof data === "object") {
    return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, redactData(value, known)]));
  }
  return data;
}

export interface ShopPromptOptions extends LlmCallOptions {
  now: Date;
  /** Names and customer ids this shop holds that might appear in free text. */
  known?: { names?: string[]; customerIds?: string[] };
}

/** One model call for a shop, if it is switched on and within its budget; usage is recorded. */
export async function runShopPrompt<T>(
  db: Db,
  shopId: string,
  prompt: Prompt<T>,
  data: unknown,
  options: ShopPromptOptions,
): Promise<ShopAnswer<T>> {
  const llm = aiClient();
  if (!llm) return { ok: false, failure: "not_configured", detail: "no language model is configured" };
  const settings = await aiSettingsFor(db, shopId);
  if (!settings.enabled) return { ok: false, failure: "off", detail: "the shop has not switched AI on" };
  const usage = await aiUsageToday(db, shopId, options.now);
  if (usage.tokens >= settings.dailyTokenBudget) {
    return { ok: false, failure: "budget", detail: `today's ${settings.dailyTokenBudget} tokens are used up` };
  }
  const answer = await llm.complete(prompt, redactData(data, options.known ?? {}), options);
  const day = usageDay(options.now);
  const failed = answer.ok ? 0 : 1;
  await db.aiUsage.upsert({
    where: { shopId_day: { shopId, day } },
    create: { shopId, day, tokens: answer.tokens, requests: 1, failures: failed },
    update: { tokens: { increment: answer.tokens }, requests: { increment: 1 }, failures: { increment: failed } },
  });
  return answer;
}

/** Keeps an output (the cache and the record of what the model said, with its prompt version). */
export async function saveAiOutput(
  db: Db,
  shopId: string,
  output: { kind: string; key: string; prompt: Prompt<unknown>; model: string; value: unknown; now: Date },
) {
  const data = { model: output.model, output: JSON.stringify(output.value), createdAt: output.now };
  await db.aiOutput.upsert({
    where: {
      shopId_kind_key_promptVersion: {
        shopId,
        kind: output.kind,
        key: output.key,
        promptVersion: output.prompt.version,
      },
    },
    create: {
      shopId,
      kind: output.kind,
      key: output.key,
      promptId: output.prompt.id,
      promptVersion: output.prompt.version,
      ...data,
    },
    update: data,
  });
}
