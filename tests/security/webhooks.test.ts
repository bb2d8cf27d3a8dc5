/**
 * Forged and replayed webhooks against the running app: a delivery is accepted only with
 * Shopify's HMAC over the exact bytes sent, each event is processed once, and every refusal is
 * counted in the security log (ADR 0019) without writing anything else.
 */
import { randomUUID } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBlackBox, tableCounts, queryRows, type BlackBoxApp } from "../support/black-box";
import { changedTables, securityCount, securityEvents, SHOP, webhook } from "../support/attacker";
import { restOrderPayload } from "../support/webhooks";

let app: BlackBoxApp;

beforeAll(async () => {
  app = await startBlackBox();
});

afterAll(async () => {
  await app?.close();
});

/** Runs `send` and returns what changed in the database, and the refusals it logged. */
async function writesOf(send: () => Promise<unknown>) {
  const before = await tableCounts(app.database);
  const refusedBefore = await securityCount(app.database, "webhook.signature_invalid", "webhooks/shopify");
  await send();
  const after = await tableCounts(app.database);
  const refused = (await securityCount(app.database, "webhook.signature_invalid", "webhooks/shopify")) - refusedBefore;
  const changed = changedTables(before, after);
  delete changed.SecurityEvent;
  return { changed, refused };
}

describe("forged Shopify webhooks", () => {
  it("a correctly signed delivery is accepted and queued (the baseline the forgeries are measured against)", async () => {
    const { changed, refused } = await writesOf(async () => {
      const answer = await webhook(app, "orders/create", restOrderPayload());
      expect(answer.status).toBe(200);
    });
    expect(changed).toMatchObject({ WebhookEvent: [expect.any(Number), expect.any(Number)] });
    expect(changed.WebhookEvent![1] - changed.WebhookEvent![0]).toBe(1);
    expect(refused).toBe(0);
  });

  const forgeries: Array<[string, () => Promise<{ status: number }>, number]> = [
    [
      "signed with another secret",
      () => webhook(app, "orders/create", restOrderPayload(), { secret: "not-our-secret" }),
      401,
    ],
    [
      "one byte of the body changed after signing",
      () => {
        const raw = JSON.stringify(restOrderPayload());
        const tampered = raw.replace('"total_price":"8.62"', '"total_price":"0.62"');
        expect(tampered).not.toBe(raw);
        return webhook(app, "orders/create", tampered, { signBody: raw });
      },
      401,
    ],
    [
      "the same JSON re-serialised (whitespace) after signing",
      () => {
        const payload = restOrderPayload();
        return webhook(app, "orders/create", JSON.stringify(payload, null, 2), { signBody: JSON.stringify(payload) });
      },
      401,
    ],
    [
      "an HMAC that is not base64 at all",
      () => webhook(app, "orders/create", restOrderPayload(), { hmac: "' OR 1=1 --" }),
      401,
    ],
    [
      "the HMAC header missing",
      () => webhook(app, "orders/create", restOrderPayload(), { omitHeaders: ["X-Shopify-Hmac-Sha256"] }),
      400,
    ],
  ];

  for (const [name, send, status] of forgeries) {
    it(`${name}: ${status}, nothing written, one refusal in the security log`, async () => {
      let answer: { status: number } | undefined;
      const { changed, refused } = await writesOf(async () => {
        answer = await send();
      });
      expect(answer?.status).toBe(status);
      expect(changed).toEqual({});
      expect(refused).toBe(1);
    });
  }

  it("a valid HMAC with the topic header missing is refused (400) and logged as missing headers", async () => {
    const before = await securityCount(app.database, "webhook.headers_missing");
    const { changed } = await writesOf(async () => {
      const answer = await webhook(app, "orders/create", restOrderPayload(), { omitHeaders: ["X-Shopify-Topic"] });
      expect(answer.status).toBe(400);
    });
    expect(changed).toEqual({});
    expect((await securityCount(app.database, "webhook.headers_missing")) - before).toBe(1);
  });

  it("a forged delivery names the claimed shop only when it is ours, so made-up names add no rows", async () => {
    const made = Array.from({ length: 20 }, () => `${randomUUID().slice(0, 8)}.myshopify.com`);
    for (const shop of made) {
      expect((await webhook(app, "orders/create", restOrderPayload(), { shop, secret: "forged" })).status).toBe(401);
    }
    const rows = await securityEvents(app.database);
    for (const shop of made) expect(rows.some((row) => row.claimedShop === shop)).toBe(false);
    // Our shop's forgeries are counted under its name (it is the one being impersonated).
    expect(rows.some((row) => row.kind === "webhook.signature_invalid" && row.claimedShop === SHOP)).toBe(true);
    const reasons = rows.map((row) => row.reason).join(" ");
    expect(reasons).not.toContain("forged");
  });

  it("a flood of forgeries raises a count: at most one row per minute and source, whatever the volume", async () => {
    const before = await securityEvents(app.database);
    const start = await securityCount(app.database, "webhook.signature_invalid", "webhooks/shopify");
    await Promise.all(
      Array.from({ length: 60 }, () => webhook(app, "orders/create", restOrderPayload(), { secret: "flood" })),
    );
    const after = await securityEvents(app.database);
    expect((await securityCount(app.database, "webhook.signature_invalid", "webhooks/shopify")) - start).toBe(60);
    // The flood may straddle a minute boundary: one more row at most (per shop claim).
    expect(after.length - before.length).toBeLessThanOrEqual(1);
    // The server still answers a real delivery.
    expect((await webhook(app, "orders/create", restOrderPayload())).status).toBe(200);
    // The merchant sees the refusals that claimed their shop (demo admin: no Shopify sign-in).
    const csv = await (await fetch(`${app.url}/app/security.csv`)).text();
    const counted = csv
      .split("\r\n")
      .filter((line) => line.includes(",webhook.signature_invalid,webhooks/shopify,"))
      .reduce((sum, line) => sum + Number(line.split(",")[3]), 0);
    expect(counted).toBeGreaterThanOrEqual(60);
  });
});

describe("replayed webhooks", () => {
  it("the same event delivered twice is acknowledged twice and recorded and queued once", async () => {
    const eventId = randomUUID();
    const payload = restOrderPayload();
    const before = await tableCounts(app.database);
    expect((await webhook(app, "orders/create", payload, { eventId })).status).toBe(200);
    const once = await tableCounts(app.database);
    expect((await webhook(app, "orders/create", payload, { eventId })).status).toBe(200);
    // Replayed with the same event id but a changed body: still the same event.
    expect((await webhook(app, "orders/create", { ...payload, total_price: "0.01" }, { eventId })).status).toBe(200);
    const after = await tableCounts(app.database);
    expect(once.WebhookEvent! - before.WebhookEvent!).toBe(1);
    expect(changedTables(once, after)).toEqual({});
    const rows = await queryRows<{ n: number }>(
      app.database,
      'SELECT count(*) AS n FROM "WebhookEvent" WHERE "eventId" = ? AND "shopDomain" = ?',
      [eventId, SHOP],
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });
});

describe("oversized webhook bodies", () => {
  it("a body declared over 5 MB is refused with 413 before it is read, and nothing is written", async () => {
    const before = await tableCounts(app.database);
    // Only the headers are sent: the answer must come without a byte of the 64 MB.
    const status = await streamedPost(`/webhooks/orders/create`, 0, { declaredLength: 64 * 1024 * 1024 });
    expect(status.status).toBe(413);
    expect(changedTables(before, await tableCounts(app.database))).toEqual({});
  });

  it("a chunked body (no length) that grows past 5 MB is cut off with 413 without buffering the rest", async () => {
    const before = await tableCounts(app.database);
    // Just past the cap, then the sender waits: the answer comes without the body's end.
    const status = await streamedPost(`/webhooks/orders/create`, 5 * 1024 * 1024 + 128 * 1024, {
      declaredLength: null,
    });
    expect(status.status).toBe(413);
    expect(changedTables(before, await tableCounts(app.database))).toEqual({});
  });
});

/**
 * Sends `totalBytes` of filler over a raw socket (under a declared Content-Length, or chunked)
 * and then waits, without ending the body, for the answer's status line. Sending no more than
 * the server reads keeps its close clean (no reset racing the answer). Bounded in bytes and time.
 */
function streamedPost(
  path: string,
  totalBytes: number,
  options: { declaredLength: number | null },
): Promise<{ status: number; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let received = "";
    let finished = false;
    const socket = net.connect(app.port, "127.0.0.1");
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      if (status) resolve({ status: Number(status), sentBytes });
      else reject(new Error(`no answer after sending ${sentBytes} bytes`));
    };
    const timer = setTimeout(finish, 30_000);
    socket.on("data", (data) => {
      received += data.toString("latin1");
      if (received.includes("\r\n\r\n")) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
    const head = [
      `POST ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${app.port}`,
      "Content-Type: application/json",
      "X-Shopify-Topic: orders/create",
      "X-Shopify-Hmac-Sha256: AAAA",
      `X-Shopify-Shop-Domain: ${SHOP}`,
      options.declaredLength !== null ? `Content-Length: ${options.declaredLength}` : "Transfer-Encoding: chunked",
    ];
    socket.write(`${head.join("\r\n")}\r\n\r\n`);
    const data = Buffer.alloc(64 * 1024, "a");
    const chunk =
      options.declaredLength !== null
        ? data
        : Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
    const pump = () => {
      while (!finished && sentBytes < totalBytes) {
        sentBytes += data.length;
        if (!socket.write(chunk)) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    socket.once("connect", pump);
  });
}
