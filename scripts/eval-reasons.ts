/**
 * Return-reason classifier quality:
 *
 *   npx tsx scripts/eval-reasons.ts [--input FILE] [--json]
 *
 * Runs the deterministic `classifyReason` over a labelled set of free-text return reasons
 * (default tests/fixtures/return-reasons.json) and prints accuracy overall, per language and per
 * kind of text (plain, typo, sarcasm, ...), then the misses grouped by expected → got.
 * `evaluateClassifier` takes any classifier, sync or async, so a model-backed one is measured
 * on the same set the same way: with OPENAI_API_KEY and OPENAI_MODEL (and OPENAI_BASE_URL for a
 * local or other OpenAI-compatible server) set, the model is measured too, alone and as the app
 * uses it (its answer when confident, else the keywords), on the same redacted text the app sends.
 * Exit codes: 0 ok, 2 bad arguments or input.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { RETURN_REASON_PROMPT } from "../app/ai/prompts";
import { REASON_MIN_CONFIDENCE } from "../app/services/ai-reasons.server";
import { LlmClient } from "../app/services/llm.server";
import { redactPii } from "../shared/redact";
import { classifyReason, RETURN_REASON_CODES, type ReturnReasonCode } from "../shared/returns";

export const REASON_LANGS = ["en", "es", "fr", "de", "it", "pt", "nl", "mixed"] as const;
export const REASON_TEXT_KINDS = ["plain", "typo", "sarcasm", "slang", "negation", "long"] as const;
export const DEFAULT_REASONS_FIXTURE = fileURLToPath(new URL("../tests/fixtures/return-reasons.json", import.meta.url));

const reasonExampleSchema = z.object({
  text: z.string(),
  code: z.enum(RETURN_REASON_CODES),
  lang: z.enum(REASON_LANGS),
  kind: z.enum(REASON_TEXT_KINDS),
});
export type ReasonExample = z.infer<typeof reasonExampleSchema>;

export class ReasonsInputError extends Error {}

/** The labelled set, or every problem in it at once. */
export function parseReasonExamples(raw: unknown): ReasonExample[] {
  const parsed = z.array(reasonExampleSchema).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  [${issue.path.join(".")}] ${issue.message}`);
    throw new ReasonsInputError(`not a list of labelled reasons:\n${problems.join("\n")}`);
  }
  return parsed.data;
}

export function readReasonExamples(file: string = DEFAULT_REASONS_FIXTURE): ReasonExample[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReasonsInputError(
      code === "ENOENT" ? `input file not found: ${file}` : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ReasonsInputError(`${file} is not JSON: ${(error as Error).message}`);
  }
  return parseReasonExamples(raw);
}

export interface ReasonVerdict {
  code: ReturnReasonCode;
  confidence?: number;
}
export type ReasonClassifier = (text: string) => Promise<ReasonVerdict> | ReasonVerdict;

export interface GroupAccuracy {
  total: number;
  correct: number;
  accuracy: number;
}

export interface ReasonMiss {
  text: string;
  lang: ReasonExample["lang"];
  kind: ReasonExample["kind"];
  expected: ReturnReasonCode;
  /** "error" when the classifier threw (a model timing out, say): a miss, not a crash. */
  got: ReturnReasonCode | "error";
  confidence?: number;
  error?: string;
}

export interface ReasonEvaluation {
  total: number;
  correct: number;
  accuracy: number;
  byLang: Record<string, GroupAccuracy>;
  byKind: Record<string, GroupAccuracy>;
  misses: ReasonMiss[];
}

/**
 * Scores `classify` against the labelled examples. Calls run `concurrency` at a time (1 by
 * default) so a rate-limited model can be measured without tripping its limits.
 */
export async function evaluateClassifier(
  items: ReasonExample[],
  classify: ReasonClassifier,
  options: { concurrency?: number } = {},
): Promise<ReasonEvaluation> {
  const outcomes: Array<{ got: ReasonMiss["got"]; confidence?: number; error?: string }> = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        const verdict = await classify(items[index]!.text);
        outcomes[index] = { got: verdict.code, confidence: verdict.confidence };
      } catch (error) {
        outcomes[index] = { got: "error", error: error instanceof Error ? error.message : String(error) };
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));

  const byLang: Record<string, GroupAccuracy> = {};
  const byKind: Record<string, GroupAccuracy> = {};
  const count = (groups: Record<string, GroupAccuracy>, key: string, hit: boolean) => {
    const group = (groups[key] ??= { total: 0, correct: 0, accuracy: 0 });
    group.total++;
    if (hit) group.correct++;
    group.accuracy = group.correct / group.total;
  };
  const misses: ReasonMiss[] = [];
  items.forEach((item, index) => {
    const outcome = outcomes[index]!;
    const hit = outcome.got === item.code;
    count(byLang, item.lang, hit);
    count(byKind, item.kind, hit);
    if (!hit) {
      misses.push({
        text: item.text,
        lang: item.lang,
        kind: item.kind,
        expected: item.code,
        got: outcome.got,
        ...(outcome.confidence !== undefined && { confidence: outcome.confidence }),
        ...(outcome.error !== undefined && { error: outcome.error }),
      });
    }
  });
  const correct = items.length - misses.length;
  return {
    total: items.length,
    correct,
    accuracy: items.length ? correct / items.length : 0,
    byLang: ordered(byLang, REASON_LANGS),
    byKind: ordered(byKind, REASON_TEXT_KINDS),
    misses,
  };
}

/** Groups in the declared order, so reports line up run after run. */
function ordered(groups: Record<string, GroupAccuracy>, order: readonly string[]): Record<string, GroupAccuracy> {
  return Object.fromEntries(order.filter((key) => groups[key]).map((key) => [key, groups[key]!]));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One compact table: overall, then each language and kind. */
export function formatAccuracyTable(run: ReasonEvaluation): string {
  const row = (label: string, g: GroupAccuracy) =>
    `${label.padEnd(16)}${String(g.total).padStart(4)}${String(g.correct).padStart(6)}${pct(g.accuracy).padStart(9)}`;
  return [
    `${"".padEnd(16)}${"n".padStart(4)}${"right".padStart(6)}${"accuracy".padStart(9)}`,
    row("overall", run),
    ...Object.entries(run.byLang).map(([lang, g]) => row(`lang ${lang}`, g)),
    ...Object.entries(run.byKind).map(([kind, g]) => row(`kind ${kind}`, g)),
  ].join("\n");
}

/** The misses grouped by expected → got, largest group first. */
export function formatMisses(misses: ReasonMiss[]): string {
  if (!misses.length) return "no misses";
  const groups = new Map<string, ReasonMiss[]>();
  for (const miss of misses) {
    const key = `${miss.expected} → ${miss.got}`;
    groups.set(key, [...(groups.get(key) ?? []), miss]);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .flatMap(([key, group]) => [
      `${key} (${group.length})`,
      ...group.map((m) => `  [${m.lang}/${m.kind}] ${JSON.stringify(m.text)}${m.error ? ` (${m.error})` : ""}`),
    ])
    .join("\n");
}

const USAGE = `usage: npx tsx scripts/eval-reasons.ts [--input FILE] [--json]
  --input  a JSON list of { text, code, lang, kind } (default tests/fixtures/return-reasons.json)
  --json   print one JSON object: total, correct, accuracy, byLang, byKind, misses`;

function parseArgs(argv: string[]): { input: string; json: boolean } {
  const args = { input: DEFAULT_REASONS_FIXTURE, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes("=")
      ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)]
      : [flag, undefined];
    switch (name) {
      case "--input": {
        const value = inline ?? argv[++i];
        if (!value) throw new ReasonsInputError("--input needs a value");
        args.input = path.resolve(value);
        break;
      }
      case "--json":
        args.json = true;
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new ReasonsInputError(`unknown argument "${flag}"`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const items = readReasonExamples(args.input);
  const run = await evaluateClassifier(items, (text) => ({ code: classifyReason(text) }));
  const model = await evaluateModel(items);
  if (args.json) {
    console.log(JSON.stringify(model ? { ...run, model } : run));
    return;
  }
  console.log(
    [
      `input        ${path.relative(process.cwd(), args.input) || args.input}: ${items.length} labelled reasons`,
      `classifier   classifyReason (deterministic keywords)`,
      "",
      formatAccuracyTable(run),
      "",
      `misses, expected → got`,
      formatMisses(run.misses),
    ].join("\n"),
  );
  if (!model) {
    console.log(
      "\nmodel        not measured: set OPENAI_API_KEY and OPENAI_MODEL (and OPENAI_BASE_URL) to measure one",
    );
    return;
  }
  console.log(
    [
      "",
      `model        ${model.name} alone`,
      formatAccuracyTable(model.alone),
      "",
      `model        ${model.name} as the app uses it (confidence ≥ ${REASON_MIN_CONFIDENCE}, else the keywords)`,
      formatAccuracyTable(model.combined),
    ].join("\n"),
  );
}

/** The configured model over the set, alone and combined with the keywords as the app does. */
async function evaluateModel(items: ReasonExample[]) {
  const { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: baseURL, OPENAI_MODEL: name } = process.env;
  if (!apiKey || !name) return null;
  const client = new LlmClient({ apiKey, baseURL, model: name });
  const answers = new Map<string, { code: ReturnReasonCode; confidence: number } | null>();
  const ask = async (text: string) => {
    if (!answers.has(text)) {
      const reply = await client.complete(
        RETURN_REASON_PROMPT,
        { reason: redactPii(text).text },
        {
          timeoutMs: 20_000,
          maxRetries: 2,
        },
      );
      answers.set(text, reply.ok ? reply.value : null);
    }
    return answers.get(text)!;
  };
  const alone = await evaluateClassifier(items, async (text) => {
    const answer = await ask(text);
    if (!answer) throw new Error("no valid answer");
    return answer;
  });
  const combined = await evaluateClassifier(items, async (text) => {
    const answer = await ask(text);
    return answer && answer.confidence >= REASON_MIN_CONFIDENCE ? answer : { code: classifyReason(text) };
  });
  return { name, alone, combined };
}

// Run only as a script; tests import the functions above.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    if (error instanceof ReasonsInputError) {
      console.error(`eval-reasons: ${error.message}`);
      process.exit(2);
    }
    throw error;
  });
}
