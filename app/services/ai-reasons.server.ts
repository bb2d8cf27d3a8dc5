/**
 * A return's free-text reason → one of the policy's reason codes. The cashier's own choice wins;
 * else the shop's language model may answer within a short budget (never longer: a cashier is
 * waiting), and only a confident answer is used; else the deterministic keyword classifier.
 * Model answers are kept per (redacted) text, so a reason seen before costs no call.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db.server";
import { RETURN_REASON_PROMPT } from "../ai/prompts";
import { redactPii } from "../../shared/redact";
import { classifyReason, type ReturnReasonCode } from "../../shared/returns";
import { aiClient, aiSettingsFor, runShopPrompt, saveAiOutput } from "./ai.server";

export const REASON_KIND = "reason";
/** Below this the model's code is not trusted and the classifier's is used. */
export const REASON_MIN_CONFIDENCE = 0.7;
/** The longest a return check waits for the model. */
export const REASON_BUDGET_MS = 800;

export interface ReasonUnderstanding {
  code: ReturnReasonCode;
  source: "cashier" | "classifier" | "model";
  /** The model's prompt version when the model decided. */
  promptVersion: number | null;
  confidence: number | null;
}

export async function understandReason(
  db: Db,
  shopId: string,
  reason: { code?: ReturnReasonCode | null; text?: string | null },
  known: { names?: string[]; customerIds?: string[] },
  now: Date,
): Promise<ReasonUnderstanding> {
  if (reason.code && reason.code !== "other") {
    return { code: reason.code, source: "cashier", promptVersion: null, confidence: null };
  }
  const text = reason.text?.trim() ?? "";
  const fallback: ReasonUnderstanding = {
    code: text ? classifyReason(text) : "other",
    source: "classifier",
    promptVersion: null,
    confidence: null,
  };
  if (!text || !aiClient() || !(await aiSettingsFor(db, shopId)).enabled) return fallback;

  const redacted = redactPii(text, known).text;
  const key = createHash("sha256").update(redacted.toLowerCase().replace(/\s+/g, " ")).digest("hex");
  const cached = await db.aiOutput.findUnique({
    where: {
      shopId_kind_key_promptVersion: { shopId, kind: REASON_KIND, key, promptVersion: RETURN_REASON_PROMPT.version },
    },
    select: { output: true },
  });
  let answer: { code: ReturnReasonCode; confidence: number } | null = null;
  if (cached) {
    answer = RETURN_REASON_PROMPT.schema.parse(JSON.parse(cached.output));
  } else {
    const reply = await runShopPrompt(
      db,
      shopId,
      RETURN_REASON_PROMPT,
      { reason: redacted },
      {
        now,
        known,
        timeoutMs: REASON_BUDGET_MS,
        maxRetries: 0,
      },
    );
    if (reply.ok) {
      answer = reply.value;
      await saveAiOutput(db, shopId, {
        kind: REASON_KIND,
        key,
        prompt: RETURN_REASON_PROMPT,
        model: reply.model,
        value: reply.value,
        now,
      });
    }
  }
  if (!answer || answer.confidence < REASON_MIN_CONFIDENCE) return fallback;
  return {
    code: answer.code,
    source: "model",
    promptVersion: RETURN_REASON_PROMPT.version,
    confidence: answer.confidence,
  };
}
