import fs from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_REASONS_FIXTURE,
  evaluateClassifier,
  formatAccuracyTable,
  parseReasonExamples,
} from "../../scripts/eval-reasons";
import { classifyReason, RETURN_REASON_CODES } from "../../shared/returns";

// The measured accuracy rounded down to 5%: a rule change that loses items fails here.
const ACCURACY_FLOOR = 0.85;

const raw: unknown = JSON.parse(fs.readFileSync(DEFAULT_REASONS_FIXTURE, "utf8"));
const items = parseReasonExamples(raw);

describe("the labelled return reasons", () => {
  it("cover every code, five or more languages, typos, sarcasm and negations", () => {
    expect(items.length).toBeGreaterThanOrEqual(70);
    for (const code of RETURN_REASON_CODES) {
      expect(items.filter((item) => item.code === code).length, code).toBeGreaterThanOrEqual(5);
    }
    const languages = new Set(items.map((item) => item.lang).filter((lang) => lang !== "mixed"));
    expect(languages.size).toBeGreaterThanOrEqual(5);
    expect(items.filter((item) => item.kind === "typo").length).toBeGreaterThanOrEqual(10);
    expect(items.filter((item) => item.kind === "sarcasm").length).toBeGreaterThanOrEqual(6);
    expect(items.filter((item) => item.kind === "negation").length).toBeGreaterThanOrEqual(5);
    expect(new Set(items.map((item) => item.text.trim().toLowerCase())).size).toBe(items.length);
  });

  it("hold personal details for redaction checks, all of them fictional", () => {
    const text = items.map((item) => item.text).join("\n");
    const emails = text.match(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g) ?? [];
    const phones = text.match(/\+?\d[\d ()-]{7,}\d/g) ?? [];
    expect(emails.length).toBeGreaterThanOrEqual(3);
    expect(phones.length).toBeGreaterThanOrEqual(3);
    for (const email of emails) expect(email).toMatch(/@example\.com$/);
    for (const phone of phones) expect(phone.replace(/\D/g, "")).toContain("555");
  });
});

describe("the deterministic reason classifier on the labelled set", () => {
  it(`is right on at least ${100 * ACCURACY_FLOOR}% of the reasons`, async () => {
    const run = await evaluateClassifier(items, (text) => ({ code: classifyReason(text) }));
    console.log(
      `classifyReason on ${DEFAULT_REASONS_FIXTURE.split("/").slice(-2).join("/")}\n${formatAccuracyTable(run)}`,
    );
    expect(run.accuracy).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
  });

  it.each([
    ["The zipper broke the second time I used it", "defective"],
    ["Too big around the waist, I need a smaller size", "wrong_size"],
    ["got two of these for my birthday", "unwanted_gift"],
    ["The receipt shows the wrong price, can you fix it", "other"],
    ["Nothing wrong with it, just don't need it", "changed_mind"],
    ["No defects, it simply doesn't fit my shoulders", "wrong_size"],
    ["Me queda pequeño, necesito una talla más", "wrong_size"],
    ["El color no es como en la foto", "not_as_described"],
    ["No está roto, simplemente ya no lo quiero", "changed_mind"],
    ["Ce n'est pas le bon article", "wrong_item"],
    ["J'ai changé d'avis", "changed_mind"],
    ["Der Reißverschluss ist kaputt", "defective"],
    ["Nicht kaputt, aber ich brauche es nicht mehr", "changed_mind"],
    ["Falscher Artikel geliefert", "wrong_item"],
  ])("keeps %j as %s", (text, code) => {
    expect(items.find((item) => item.text === text)?.code, "labelled in the fixture").toBe(code);
    expect(classifyReason(text)).toBe(code);
  });
});

describe("evaluateClassifier", () => {
  it("scores an async classifier, and counts one that throws as a miss rather than crashing", async () => {
    const sample = items.slice(0, 4);
    const run = await evaluateClassifier(
      sample,
      async (text) => {
        if (text === sample[0]!.text) throw new Error("model timed out");
        return { code: classifyReason(text), confidence: 0.9 };
      },
      { concurrency: 2 },
    );
    expect(run.total).toBe(4);
    expect(run.misses).toContainEqual(expect.objectContaining({ got: "error", error: "model timed out" }));
    expect(run.correct).toBe(4 - run.misses.length);
    expect(Object.values(run.byLang).reduce((sum, group) => sum + group.total, 0)).toBe(4);
  });
});
