/**
 * Recommendation quality (docs/ARCHITECTURE.md, "Recommendation quality protocol"):
 *
 *   npm run eval:recs -- --input FILE [--format lines|long] [--k 3] [--seed 42] [--json]
 *                        [--model auto|cooc|cp|ease|rules|popularity]
 *
 * Splits the baskets 80/20 (by time when the long format has timestamps, else a seeded shuffle),
 * trains on the 80% (tuning on a validation split inside it), hides each item of each test basket
 * with >= 2 items in turn and counts a hit when it is among the k suggestions for the rest; the
 * popularity baseline runs on the same split. Exit codes: 0 ok, 2 bad arguments or input.
 */
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { CANDIDATES, evaluateCandidate, type CandidateName } from "../shared/recommendations/compare";
import {
  detectFormat,
  parseBasketsInput,
  RecsInputError,
  type InputFormat,
} from "../shared/recommendations/evaluation";

const USAGE = `usage: npm run eval:recs -- --input FILE [--format lines|long] [--k 3] [--seed 42] [--json] [--model NAME]
  --format  lines: one basket per line, items comma-separated
            long:  CSV with a header naming transaction_id and item (optional timestamp, location)
            (default: long when the first line names transaction_id and item, else lines)
  --model   ${Object.entries(CANDIDATES)
    .map(([name, what]) => `${name}: ${what}`)
    .join("\n            ")}`;

interface Args {
  input: string;
  format: InputFormat | null;
  k: number;
  seed: number;
  json: boolean;
  model: CandidateName;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { input: "", format: null, k: 3, seed: 42, json: false, model: "auto" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes("=")
      ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)]
      : [flag, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new RecsInputError(`${name} needs a value`);
      return v;
    };
    const integer = (min: number, max: number) => {
      const raw = value();
      const v = Number(raw);
      if (!Number.isInteger(v) || v < min || v > max)
        throw new RecsInputError(`${name} must be an integer in ${min}..${max}, got "${raw}"`);
      return v;
    };
    switch (name) {
      case "--input":
        args.input = value();
        break;
      case "--format": {
        const v = value();
        if (v !== "lines" && v !== "long") throw new RecsInputError(`--format must be lines or long, got "${v}"`);
        args.format = v;
        break;
      }
      case "--k":
        args.k = integer(1, 100);
        break;
      case "--seed":
        args.seed = integer(0, 2 ** 32 - 1);
        break;
      case "--json":
        args.json = true;
        break;
      case "--model": {
        const v = value();
        if (!(v in CANDIDATES))
          throw new RecsInputError(`--model must be one of ${Object.keys(CANDIDATES).join(", ")}, got "${v}"`);
        args.model = v as CandidateName;
        break;
      }
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new RecsInputError(`unknown argument "${flag}"`);
    }
  }
  if (!args.input) throw new RecsInputError("--input FILE is required");
  return args;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  let text: string;
  try {
    text = fs.readFileSync(args.input, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RecsInputError(
      code === "ENOENT"
        ? `input file not found: ${args.input}`
        : `cannot read ${args.input}: ${(error as Error).message}`,
    );
  }
  const format = args.format ?? detectFormat(text);
  const baskets = parseBasketsInput(text, format);
  if (baskets.length < 5)
    throw new RecsInputError(`${args.input} holds ${baskets.length} baskets (${format} format): too few to split`);
  const run = evaluateCandidate(baskets, {
    k: args.k,
    seed: args.seed,
    candidate: args.model,
    now: () => performance.now(),
  });
  if (run.summary.queries === 0)
    throw new RecsInputError("no test basket has 2 or more distinct items: nothing to evaluate");
  if (args.json) {
    console.log(JSON.stringify(run.summary));
    return;
  }
  const s = run.summary;
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const lines = [
    `input        ${args.input} (${format}): ${s.baskets} baskets, ${s.items} items`,
    `split        ${run.split === "time" ? "by time" : `seeded shuffle (seed ${args.seed})`}: ${run.trainBaskets} train / ${run.testBaskets} test baskets, ${s.queries} leave-one-out queries`,
    `model        ${args.model}: ${run.trained.describe}`,
  ];
  const tuning = run.trained.tuning;
  if (tuning) {
    lines.push(
      `tuning       ${tuning.tried.length} candidates on a ${tuning.by === "time" ? "latest-20%" : "shuffled 20%"} validation split of train ` +
        `(${tuning.validationQueries} queries): HR@${tuning.k} ${pct(tuning.chosenHitRate)} vs popularity ${pct(tuning.popularityHitRate)}`,
    );
  }
  lines.push(
    "",
    `               HR@${s.k}      vs popularity   train ms   p50 µs   p99 µs`,
    `model        ${pct(s.hitRate).padStart(7)}   ${(s.hitRate / (s.popularityHitRate || 1)).toFixed(3).padStart(9)}×   ${String(s.trainMs).padStart(8)}   ${s.p50Micros.toFixed(1).padStart(6)}   ${s.p99Micros.toFixed(1).padStart(6)}`,
    `popularity   ${pct(s.popularityHitRate).padStart(7)}`,
  );
  console.log(lines.join("\n"));
}

try {
  main();
} catch (error) {
  if (error instanceof RecsInputError) {
    console.error(`eval-recs: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
