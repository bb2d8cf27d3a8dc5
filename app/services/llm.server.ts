/**
 * The one way the app talks to a language model: the official `openai` SDK against any
 * OpenAI-compatible server (OPENAI_BASE_URL), structured output checked by the prompt's zod
 * schema, per-call timeout and retries (the SDK backs off on 429 and 5xx, honouring Retry-After),
 * and a circuit breaker so a dead provider costs nothing after a few failures. It never decides
 * anything: callers get a value or a failure and fall back to the deterministic engines.
 */
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import type { Prompt } from "../ai/prompts";

export type LlmFailure =
  "circuit_open" | "timeout" | "rate_limited" | "server_error" | "network" | "refused" | "invalid_output";

export type LlmAnswer<T> =
  | { ok: true; value: T; tokens: number; model: string }
  | { ok: false; failure: LlmFailure; detail: string; tokens: number };

export interface LlmCallOptions {
  timeoutMs: number;
  /** Retries after a 429, a 5xx or a dropped connection (with the SDK's backoff). */
  maxRetries: number;
  signal?: AbortSignal;
}

/**
 * Closed: calls go through. After `threshold` failures in a row: open, calls are refused for
 * `coolDownMs`. Then one probe call is let through; its success closes it, its failure reopens it.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(
    readonly threshold = 5,
    readonly coolDownMs = 30_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get state(): "closed" | "open" | "half-open" {
    if (this.openedAt === null) return "closed";
    return this.clock() - this.openedAt >= this.coolDownMs ? "half-open" : "open";
  }

  allow(): boolean {
    if (this.openedAt === null) return true;
    if (this.state === "half-open" && !this.probing) {
      this.probing = true;
      return true;
    }
    return false;
  }

  success() {
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
  }

  failure() {
    this.failures++;
    if (this.probing || this.failures >= this.threshold) this.openedAt = this.clock();
    this.probing = false;
  }
}

/**
 * Data goes to the model as JSON inside <data> tags, never spliced into the instructions. `<` is
 * escaped so a product title cannot close the tag and speak outside it.
 */
export function delimitData(data: unknown): string {
  return `<data>\n${JSON.stringify(data).replace(/</g, "\\u003c")}\n</data>`;
}

export interface LlmConfig {
  apiKey: string;
  baseURL?: string;
  model: string;
}

export class LlmClient {
  private readonly openai: OpenAI;

  constructor(
    readonly config: LlmConfig,
    readonly breaker = new CircuitBreaker(),
  ) {
    this.openai = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, maxRetries: 0, timeout: 30_000 });
  }

  get model() {
    return this.config.model;
  }

  async complete<T>(prompt: Prompt<T>, data: unknown, options: LlmCallOptions): Promise<LlmAnswer<T>> {
    if (!this.breaker.allow()) {
      return { ok: false, failure: "circuit_open", detail: "the provider failed repeatedly; waiting", tokens: 0 };
    }
    let content: string | null | undefined;
    let tokens = 0;
    try {
      const completion = await this.openai.chat.completions.create(
        {
          model: this.config.model,
          messages: [
            { role: "system", content: prompt.system },
            { role: "user", content: delimitData(data) },
          ],
          response_format: zodResponseFormat(prompt.schema as never, prompt.schemaName),
          // max_tokens, not max_completion_tokens: local servers (Ollama, vLLM) read this one.
          max_tokens: prompt.maxOutputTokens,
          temperature: 0.2,
        },
        { timeout: options.timeoutMs, maxRetries: options.maxRetries, signal: options.signal },
      );
      tokens = completion.usage?.total_tokens ?? 0;
      const message = completion.choices[0]?.message;
      if (message?.refusal) {
        this.breaker.success();
        return { ok: false, failure: "refused", detail: message.refusal.slice(0, 200), tokens };
      }
      content = message?.content;
    } catch (error) {
      this.breaker.failure();
      return { ok: false, ...describeFailure(error), tokens };
    }
    // The provider answered: whatever the answer is worth, the circuit stays closed.
    this.breaker.success();
    let json: unknown;
    try {
      json = JSON.parse(content ?? "");
    } catch {
      return { ok: false, failure: "invalid_output", detail: "the answer is not JSON", tokens };
    }
    const parsed = prompt.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        failure: "invalid_output",
        detail: `${issue?.path.join(".") || "answer"}: ${issue?.message ?? "does not fit the schema"}`,
        tokens,
      };
    }
    return { ok: true, value: parsed.data, tokens, model: this.config.model };
  }
}

function describeFailure(error: unknown): { failure: LlmFailure; detail: string } {
  if (error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) {
    return { failure: "timeout", detail: "no answer in time" };
  }
  if (error instanceof APIError && error.status === 429) return { failure: "rate_limited", detail: "HTTP 429" };
  if (error instanceof APIError && typeof error.status === "number") {
    return { failure: "server_error", detail: `HTTP ${error.status}` };
  }
  return { failure: "network", detail: error instanceof Error ? error.message.slice(0, 200) : String(error) };
}
