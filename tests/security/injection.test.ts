/**
 * Hostile values in every field of every register POST body, against the running app: SQL and
 * NoSQL operators, wrong types, deep nesting, `__proto__` / `constructor.prototype` keys written
 * into the raw JSON, oversized bodies and 10,000 line items. Each is refused with a 400 that names
 * the field (and writes nothing), or answered as data; never a 500, and the server stays sound
 * (no prototype pollution: an empty body is still refused afterwards).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBlackBox, tableCounts, queryRows, type BlackBoxApp } from "../support/black-box";
import {
  changedTables,
  demoVariants,
  LOCATION,
  register,
  REGISTER_USER_AGENT,
  sessionToken,
  type Answer,
} from "../support/attacker";

let app: BlackBoxApp;
let variant: string;
let product: string;

beforeAll(async () => {
  app = await startBlackBox();
  const [row] = await demoVariants(app.database, 1);
  variant = row!.variantId;
  product = row!.productId;
});

afterAll(async () => {
  await app?.close();
});

interface Endpoint {
  path: string;
  /** A body the endpoint accepts (its answer may still be a business refusal like 404). */
  body: () => Record<string, unknown>;
}

const origin = () => ({ locationId: LOCATION, deviceId: "register-inject", staffMemberId: "77" });

/** Every register POST endpoint, with a body that passes validation. */
const ENDPOINTS: Endpoint[] = [
  {
    path: "/api/pos/suggestions",
    body: () => ({
      cart: { lineItems: [{ variantId: variant, productId: product, quantity: 1 }] },
      customerId: null,
      locationId: LOCATION,
      limit: 3,
      record: false,
    }),
  },
  { path: "/api/pos/events", body: () => ({ requestId: randomUUID(), variantId: variant, kind: "added" }) },
  {
    path: "/api/pos/approvals",
    body: () => ({
      ...origin(),
      cart: { lineItems: [{ variantId: variant, quantity: 1 }], subtotalMinor: 1_000 },
      discount: { kind: "percent", value: 5 },
      reasonCode: "price_match",
      note: "regular customer",
    }),
  },
  {
    path: "/api/pos/approvals/no-such-request/decision",
    body: () => ({ ...origin(), decision: "approve", pin: "123456", approverId: "m-1", reason: "ok" }),
  },
  {
    path: "/api/pos/approvals/no-such-request/redeem",
    body: () => ({
      ...origin(),
      token: "t".repeat(43),
      cartFingerprint: `cart1:${variant}x1`,
      discount: { kind: "amount", value: 100 },
    }),
  },
  { path: "/api/pos/approvals/no-such-request/void", body: () => ({ ...origin(), reason: "cart changed" }) },
  { path: "/api/pos/approvals/no-such-request/token", body: () => origin() },
  {
    path: "/api/pos/returns/check",
    body: () => ({
      ...origin(),
      order: "#1001",
      receipt: "receipt",
      lines: [{ lineItemId: "1", quantity: 1, condition: "unopened" }],
      condition: "unopened",
      reason: { code: "changed_mind", text: "did not like it" },
    }),
  },
  { path: "/api/pos/returns/no-such-check/approval", body: () => origin() },
  {
    path: "/api/pos/loyalty/redeem",
    body: () => ({
      ...origin(),
      customerId: "1",
      rewardId: "five-off",
      cart: { lineItems: [{ variantId: variant, quantity: 1 }], subtotalMinor: 1_000 },
    }),
  },
  { path: "/api/pos/loyalty/release", body: () => ({ ...origin(), reservationId: "no-such-reservation" }) },
];

/** Hostile values put in place of one field at a time. */
const PAYLOADS: Array<[string, unknown]> = [
  ["SQL tautology", "' OR 1=1 --"],
  ["SQL statement", '"; DROP TABLE "Order"; --'],
  ["NoSQL operator", { $gt: "" }],
  ["nested object", { a: { b: { c: { d: { e: "deep" } } } } }],
  ["array", ["x", { $ne: null }]],
  ["number out of range", 1e300],
  ["negative number", -1],
  ["boolean", true],
  ["empty string", ""],
  ["long string", "x".repeat(20_000)],
];

type Path = Array<string | number>;

/** Every leaf and every object in `value`, as paths. */
function fieldPaths(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = prefix.length ? [prefix] : [];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...fieldPaths(item, [...prefix, index])));
  else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) paths.push(...fieldPaths(item, [...prefix, key]));
  }
  return paths;
}

function withField(body: Record<string, unknown>, path: Path, replacement: unknown) {
  const copy = structuredClone(body);
  let target = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  target[path[path.length - 1]!] = replacement;
  return copy;
}

/** Statuses a hostile body may get: refused (400), or a business answer for data it did not find. */
const HANDLED = [200, 400, 403, 404, 409];

/**
 * Sends one case and checks it: never a 5xx; a 400 names `field` and writes nothing. Returns the
 * answer for further checks.
 */
async function sendCase(path: string, raw: string, field: string | RegExp): Promise<Answer> {
  const before = await tableCounts(app.database);
  const answer = await register(app, "POST", path, { raw });
  const context = `${path} ${raw.slice(0, 200)} → ${answer.status} ${answer.text.slice(0, 200)}`;
  // A small endpoint's cap (events: 4 KB) answers a long value with 413 before reading the field.
  expect(raw.length > 4_096 ? [...HANDLED, 413] : HANDLED, context).toContain(answer.status);
  expect(answer.json, context).not.toBeNull();
  if (answer.status === 400) {
    expect(answer.json?.error?.code, context).toMatch(/^invalid_(body|json)$/);
    if (typeof field === "string") expect(answer.json?.error?.message.startsWith(`${field}`), context).toBe(true);
    else expect(answer.json?.error?.message, context).toMatch(field);
    expect(changedTables(before, await tableCounts(app.database)), context).toEqual({});
  }
  return answer;
}

describe("hostile values in every field of every register body", () => {
  it("every sample body is accepted by its endpoint (the baseline the mutations start from)", async () => {
    for (const endpoint of ENDPOINTS) {
      const answer = await register(app, "POST", endpoint.path, { body: endpoint.body() });
      expect(answer.status, `${endpoint.path}: ${answer.text}`).not.toBe(400);
      expect(HANDLED).toContain(answer.status);
    }
  });

  // Hundreds of cases per endpoint, each with two whole-database row counts: on PostgreSQL the
  // largest endpoint (approvals) takes about a minute on a 2-CPU machine.
  for (const endpoint of ENDPOINTS) {
    it(
      `${endpoint.path}: each field replaced by SQL, operators, wrong types → 400 naming the field, or handled as data`,
      { timeout: 240_000 },
      async () => {
        const sample = endpoint.body();
        let cases = 0;
        for (const path of fieldPaths(sample)) {
          for (const [, payload] of PAYLOADS) {
            await sendCase(endpoint.path, JSON.stringify(withField(sample, path, payload)), path.join("."));
            cases++;
          }
        }
        expect(cases).toBeGreaterThan(10);
      },
    );
  }

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.path}: __proto__ and constructor.prototype keys in the raw JSON are refused, at every level`, async () => {
      const sample = endpoint.body();
      const objects = [[], ...fieldPaths(sample)].filter((path) => {
        let value: unknown = sample;
        for (const key of path) value = (value as Record<string | number, unknown>)[key];
        return value !== null && typeof value === "object" && !Array.isArray(value);
      });
      for (const path of objects) {
        for (const key of ["__proto__", "constructor", "prototype"]) {
          const marker = `"${key}":{"polluted":"yes","isAdmin":true,"prototype":{"polluted":"yes"}},`;
          // Written into the text: JSON.stringify would not produce an own __proto__ key.
          const raw = insertKey(JSON.stringify(sample), sample, path, marker);
          const answer = await sendCase(endpoint.path, raw, new RegExp(`Unrecognized key.*${key}`));
          expect(answer.status, raw).toBe(400);
          expect(answer.json?.error?.message).toContain(path.length ? `${path.join(".")}: ` : "(body): ");
        }
      }
    });
  }

  it("after all of that the server has no polluted prototypes: empty bodies are still refused and answers are clean", async () => {
    for (const endpoint of ENDPOINTS) {
      const empty = await register(app, "POST", endpoint.path, { body: {} });
      // Bodies that only say which register asks are complete when empty; the rest need fields.
      const onlyOrigin = Object.keys(endpoint.body()).every((key) => key in origin());
      expect(empty.status, endpoint.path).toBe(onlyOrigin ? 404 : 400);
      expect(empty.text).not.toMatch(/polluted|isAdmin/);
    }
    const status = await register(app, "GET", `/api/pos/status?locationId=${LOCATION}`);
    expect(status.status).toBe(200);
    expect(status.text).not.toMatch(/polluted|isAdmin/);
    const suggestions = await register(app, "POST", "/api/pos/suggestions", { body: ENDPOINTS[0]!.body() });
    expect(suggestions.status).toBe(200);
    expect(suggestions.text).not.toMatch(/polluted|isAdmin/);
  });

  it("not JSON at all, JSON that is not an object, and deeply nested JSON: 400, nothing written", async () => {
    const deep = `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`;
    for (const raw of ["' OR 1=1 --", "", "null", "[]", '"cart"', "1e309", deep]) {
      const answer = await sendCase("/api/pos/approvals", raw, /^(\(body\)|a|cart)|not valid JSON/);
      expect(answer.status, raw.slice(0, 50)).toBe(400);
    }
  });

  it("SQL in a stored text field is kept as data, exactly as sent", async () => {
    const note = `'); DELETE FROM "ApprovalRequest"; -- {"$gt":""}`;
    const body = { ...ENDPOINTS[2]!.body(), note };
    const before = await queryRows<{ n: number }>(app.database, 'SELECT count(*) AS n FROM "ApprovalRequest"');
    const answer = await register(app, "POST", "/api/pos/approvals", { body });
    expect(answer.status).toBe(200);
    const id = (answer.json as { requestId: string }).requestId;
    const rows = await queryRows<{ note: string }>(app.database, 'SELECT note FROM "ApprovalRequest" WHERE id = ?', [
      id,
    ]);
    expect(rows[0]?.note).toBe(note);
    const after = await queryRows<{ n: number }>(app.database, 'SELECT count(*) AS n FROM "ApprovalRequest"');
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n) + 1);
  });

  it("LIKE wildcards and SQL in a customer search match literally (no customer list by wildcard)", async () => {
    for (const q of ["%%", "__", "%' OR '1'='1", "\\%"]) {
      const answer = await register(app, "GET", `/api/pos/customers?q=${encodeURIComponent(q)}&locationId=${LOCATION}`);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ customers: [] });
    }
  });
});

describe("oversized bodies", () => {
  it("a register body over 64 KB is refused with 413 body_too_large, nothing written", async () => {
    const before = await tableCounts(app.database);
    const body = { ...ENDPOINTS[2]!.body(), note: "x".repeat(70 * 1024) };
    const answer = await register(app, "POST", "/api/pos/approvals", { body });
    expect(answer.status).toBe(413);
    expect(answer.json?.error?.code).toBe("body_too_large");
    expect(changedTables(before, await tableCounts(app.database))).toEqual({});
  });

  it("10,000 line items are refused clearly (413 over the cap), and 251 under the cap name the field", async () => {
    const lines = (n: number) => Array.from({ length: n }, () => ({ variantId: variant, quantity: 1 }));
    const before = await tableCounts(app.database);
    for (const path of ["/api/pos/suggestions", "/api/pos/approvals", "/api/pos/loyalty/redeem"]) {
      const sample = ENDPOINTS.find((endpoint) => endpoint.path === path)!.body();
      const huge = await register(app, "POST", path, { body: withField(sample, ["cart", "lineItems"], lines(10_000)) });
      expect(huge.status, path).toBe(413);
      expect(huge.json?.error?.code).toBe("body_too_large");
    }
    const many = await register(app, "POST", "/api/pos/approvals", {
      body: withField(ENDPOINTS[2]!.body(), ["cart", "lineItems"], lines(251)),
    });
    expect(many.status).toBe(400);
    expect(many.json?.error?.message).toBe("cart.lineItems: at most 250 line items");
    const suggestions = await register(app, "POST", "/api/pos/suggestions", {
      body: withField(ENDPOINTS[0]!.body(), ["cart", "lineItems"], lines(251)),
    });
    expect(suggestions.status).toBe(400);
    expect(suggestions.json?.error?.message).toBe("cart.lineItems: at most 250 line items");
    expect(changedTables(before, await tableCounts(app.database))).toEqual({});
  });

  it("a chunked body (no length to check up front) over 64 KB is cut at the cap with 413", async () => {
    const raw = JSON.stringify({ ...ENDPOINTS[2]!.body(), note: "y".repeat(200 * 1024) });
    // A stream is sent chunked: the size is counted as it is read.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(raw));
        controller.close();
      },
    });
    const response = await fetch(`${app.url}/api/pos/approvals`, {
      method: "POST",
      headers: {
        "User-Agent": REGISTER_USER_AGENT,
        Authorization: `Bearer ${sessionToken()}`,
        "Content-Type": "application/json",
      },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
  });
});

/** Inserts `marker` (`"key":value,`) as the first member of the object at `path` in `text`. */
function insertKey(text: string, sample: unknown, path: Path, marker: string): string {
  if (path.length === 0) return `{${marker}${text.slice(1)}`;
  // Rebuild with a placeholder object at the path, then splice the marker into it.
  const placeholder = `__object_${randomUUID()}__`;
  let value: unknown = sample;
  for (const key of path) value = (value as Record<string | number, unknown>)[key];
  const marked = withField(sample as Record<string, unknown>, path, { [placeholder]: 1, ...(value as object) });
  return JSON.stringify(marked)
    .replace(`"${placeholder}":1,`, marker)
    .replace(`"${placeholder}":1`, marker.slice(0, -1));
}
