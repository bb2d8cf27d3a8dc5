/**
 * Whether a language model is configured for this deployment, for the settings page. Never
 * returns the key: only that there is one, the model and the server's host.
 */
import type { Env } from "../env.server";

export interface AiProviderStatus {
  configured: boolean;
  model: string | null;
  host: string | null;
  /** What is missing, in words, when not configured. */
  missing: string[];
}

const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export function aiProviderStatus(
  env: Pick<Env, "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "OPENAI_MODEL">,
): AiProviderStatus {
  const missing = [...(env.OPENAI_API_KEY ? [] : ["OPENAI_API_KEY"]), ...(env.OPENAI_MODEL ? [] : ["OPENAI_MODEL"])];
  return {
    configured: missing.length === 0,
    model: env.OPENAI_MODEL ?? null,
    host: new URL(env.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL).host,
    missing,
  };
}
