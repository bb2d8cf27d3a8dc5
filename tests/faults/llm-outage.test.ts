/**
 * The language model's endpoint broken (answering 500, or never answering) while the demo shop
 * has AI switched on: the register still answers on time with the deterministic answer — the
 * return check's reason from the keyword classifier within its 800 ms budget, suggestions without
 * pitch lines — although the model really was asked; after five failures in a row the circuit
 * breaker stops calling it; and the worker's pitch-line job falls back and finishes instead of
 * dying or piling up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, startBlackBox, type BlackBoxApp } from "../support/black-box";
import { demoStoreFacts, type DemoStoreFacts } from "../support/demo-orders";
import { startFakeLlm, type FakeLlm } from "../support/fake-llm";
import { waitFor } from "../support/processes";
import { REGISTER_USER_AGENT, registerCall, type Answer } from "../support/register-http";
import { classifyReason } from "../../shared/returns";

/** The register's path waits at most 800 ms for the model (REASON_BUDGET_MS); the rest is slack for a busy machine. */
const REASON_ANSWER_MS = 1_500;
/** Suggestions never wait for the model. */
const SUGGESTIONS_ANSWER_MS = 1_000;
const BREAKER_THRESHOLD = 5;

let fake: FakeLlm;
let app: BlackBoxApp;
let facts: DemoStoreFacts;
let orderName: string;
let checks = 0;

beforeAll(async () => {
  fake = await startFakeLlm("error500");
  app = await startBlackBox({
    worker: true,
    env: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: "sk-fault-injection", OPENAI_MODEL: "fault-model" },
  });
  facts = await demoStoreFacts(app.database);
  orderName = facts.latestOrderName;
  // The merchant switches AI on in the admin's settings form (demo mode opens the admin).
  const saved = await fetch(`${app.url}/app/settings`, {
    method: "POST",
    headers: { "User-Agent": REGISTER_USER_AGENT, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ intent: "ai", enabled: "on", dailyTokenBudget: "200000" }),
    signal: AbortSignal.timeout(30_000),
  });
  expect(saved.status).toBe(200);
  const [settings] = await queryRows<{ enabled: number | boolean }>(
    app.database,
    `SELECT "enabled" FROM "AiSettings" WHERE "shopId" = ?`,
    [facts.shopId],
  );
  expect(Boolean(settings?.enabled), "AI is on for the demo shop").toBe(true);
  await warmUp();
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
});

/**
 * A fresh server process answers its first return check slower (route modules and the database
 * client warm up): one check with the cashier's own reason code, which never asks the model, first.
 */
async function warmUp() {
  const answer = await registerCall(app.url, "/api/pos/returns/check", {
    order: orderName,
    receipt: "receipt",
    reason: { code: "wrong_size" },
    locationId: facts.locationId,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** A return check whose reason only the cashier's words give: the model is asked to read them. */
async function returnCheckWithText(): Promise<{
  answer: Answer<{ checkId: string; result: { reasonCode: string } }>;
  text: string;
}> {
  const text = `customer says it is too small, visit ${++checks}`;
  const answer = await registerCall<{ checkId: string; result: { reasonCode: string } }>(
    app.url,
    "/api/pos/returns/check",
    { order: orderName, receipt: "receipt", reason: { text }, locationId: facts.locationId, deviceId: "fault-ipad" },
  );
  return { answer, text };
}

async function expectClassifierAnswer({ answer, text }: Awaited<ReturnType<typeof returnCheckWithText>>) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.result.reasonCode).toBe(classifyReason(text));
  const [stored] = await queryRows<{ reasonSource: string }>(
    app.database,
    `SELECT "reasonSource" FROM "ReturnCheck" WHERE "id" = ?`,
    [answer.body.checkId],
  );
  expect(stored?.reasonSource).toBe("classifier");
}

async function suggestionsAnswer() {
  const answer = await registerCall<{ suggestions: { reason: string; pitch?: string }[] }>(
    app.url,
    "/api/pos/suggestions",
    {
      cart: { lineItems: [{ variantId: facts.variants[0]!.variantId, quantity: 1 }] },
      locationId: facts.locationId,
    },
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.ms).toBeLessThan(SUGGESTIONS_ANSWER_MS);
  expect(answer.body.suggestions.length).toBeGreaterThan(0);
  // The deterministic explanation, never a line from the broken model.
  expect(answer.body.suggestions.every((suggestion) => suggestion.reason && !suggestion.pitch)).toBe(true);
  return answer;
}

async function pitchJobs() {
  return queryRows<{ status: string; attempts: number; lastError: string | null }>(
    app.database,
    `SELECT "status", "attempts", "lastError" FROM "Job" WHERE "type" = 'ai:pitches' ORDER BY "createdAt"`,
  );
}

describe("the model answering 500", () => {
  it("return checks answer at once with the classifier's reason; after five failures the breaker stops calling", async () => {
    const times: number[] = [];
    for (let i = 0; i < BREAKER_THRESHOLD + 3; i++) {
      const check = await returnCheckWithText();
      times.push(check.answer.ms);
      await expectClassifierAnswer(check);
      expect(check.answer.ms).toBeLessThan(REASON_ANSWER_MS);
    }
    console.info(`model 500: return checks answered in ${times.map((ms) => ms.toFixed(0)).join(", ")} ms`);
    // The model was really asked, and only until the breaker opened.
    expect(fake.callsFor("return_reason")).toHaveLength(BREAKER_THRESHOLD);
  });

  it(
    "suggestions answer without pitch lines; the pitch job retries the model, falls back and finishes",
    { timeout: 60_000 },
    async () => {
      for (let i = 0; i < 3; i++) await suggestionsAnswer();
      // Switching AI on queued one pitch job; the register's requests add none while it is queued.
      const jobs = await waitFor(
        "the pitch job to finish",
        async () => {
          const rows = await pitchJobs();
          return rows.length > 0 && rows.every((row) => row.status === "done" || row.status === "dead")
            ? rows
            : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 250 },
      );
      expect(jobs.map((job) => job.status)).toEqual(jobs.map(() => "done"));
      expect(jobs.length).toBeLessThanOrEqual(2);
      // The worker asked the model, with the SDK's retries on a 5xx, before falling back.
      expect(fake.callsFor("pitch_lines").length).toBeGreaterThan(1);
      expect(app.worker!.output()).toMatch(/pitch lines: 0 written, 0 dropped, stopped \(server_error\)/);
    },
  );
});

describe("the model never answering", () => {
  beforeAll(async () => {
    // A fresh server process: its circuit breaker starts closed again.
    fake.mode = "hang";
    await app.kill("SIGTERM");
    await app.start();
    await warmUp();
  });

  it("return checks answer within the 800 ms budget with the classifier's reason; then the breaker opens", async () => {
    const reasonCalls = fake.callsFor("return_reason").length;
    const times: number[] = [];
    for (let i = 0; i < BREAKER_THRESHOLD; i++) {
      const check = await returnCheckWithText();
      times.push(check.answer.ms);
      await expectClassifierAnswer(check);
      expect(check.answer.ms).toBeLessThan(REASON_ANSWER_MS);
      // It did wait for the model (the budget), rather than skip it.
      expect(check.answer.ms).toBeGreaterThanOrEqual(700);
    }
    expect(fake.callsFor("return_reason").length - reasonCalls).toBe(BREAKER_THRESHOLD);
    // Open: the next checks do not wait for the model at all.
    const open: number[] = [];
    for (let i = 0; i < 3; i++) {
      const check = await returnCheckWithText();
      open.push(check.answer.ms);
      await expectClassifierAnswer(check);
      expect(check.answer.ms).toBeLessThan(700);
    }
    expect(fake.callsFor("return_reason").length - reasonCalls).toBe(BREAKER_THRESHOLD);
    console.info(
      `model hanging: return checks answered in ${times.map((ms) => ms.toFixed(0)).join(", ")} ms; ` +
        `breaker open: ${open.map((ms) => ms.toFixed(0)).join(", ")} ms`,
    );
  });

  it(
    "suggestions answer on time; the pitch job gives up on the hung model within its budget and nothing piles up",
    { timeout: 90_000 },
    async () => {
      const pitchCalls = fake.callsFor("pitch_lines").length;
      for (let i = 0; i < 3; i++) await suggestionsAnswer();
      // The register asked for pitch lines; the worker took the job and is waiting on the model.
      await waitFor(
        "the worker to ask the hung model for pitch lines",
        async () => (fake.callsFor("pitch_lines").length > pitchCalls ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      const asked = Date.now();
      for (let i = 0; i < 3; i++) await suggestionsAnswer();
      const waiting = (await pitchJobs()).filter((job) => job.status === "pending" || job.status === "running");
      expect(waiting).toHaveLength(1);
      // The run's budget (30 s) ends the wait, well inside the job's 60 s lease: done, not dead.
      await waitFor(
        "the pitch job to give up",
        async () => ((await pitchJobs()).every((job) => job.status === "done") ? true : undefined),
        { timeoutMs: 45_000, intervalMs: 500 },
      );
      const waited = Date.now() - asked;
      console.info(`model hanging: the pitch job gave up ${(waited / 1000).toFixed(1)} s after its first call`);
      expect(waited).toBeLessThan(45_000);
      expect(app.worker!.output()).toMatch(/stopped \(timeout\)/);
      expect((await pitchJobs()).filter((job) => job.status === "dead")).toEqual([]);
    },
  );
});
