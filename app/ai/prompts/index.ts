/** The prompt registry: every prompt the app sends, each with its version (see types.ts). */
import { PITCH_LINES_PROMPT } from "./pitch-lines";
import { RETURN_REASON_PROMPT } from "./return-reason";
import { SHIFT_SUMMARY_PROMPT } from "./shift-summary";

export { PITCH_LINES_PROMPT, RETURN_REASON_PROMPT, SHIFT_SUMMARY_PROMPT };
export type { Prompt } from "./types";

export const PROMPTS = [PITCH_LINES_PROMPT, RETURN_REASON_PROMPT, SHIFT_SUMMARY_PROMPT] as const;
