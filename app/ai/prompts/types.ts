/**
 * A prompt in the registry: its text, the schema its answer must fit, and a version. The version
 * is stored with every output it produced; changing the text without bumping the version fails
 * tests/unit/ai-prompts.test.ts, which pins each version's text by hash.
 */
import type { z } from "zod";

export interface Prompt<Output> {
  id: string;
  version: number;
  /** Instructions. The data travels separately, as JSON between <data> tags. */
  system: string;
  schema: z.ZodType<Output>;
  /** The JSON schema's name in the request (a-z, 0-9, _). */
  schemaName: string;
  maxOutputTokens: number;
}
