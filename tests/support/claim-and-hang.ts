/**
 * A worker that dies mid-job, for crash tests. It claims the next due job through the real
 * claimNextJob against DATABASE_URL, prints one JSON line, then blocks until it is killed:
 *   HANG_MODE=after-claim (default)  hangs right after the claim, as a stuck handler would;
 *   HANG_MODE=mid-write              also opens the handler's transaction and writes a partial
 *                                    order row (no line items) before hanging inside it, so a
 *                                    kill -9 interrupts an uncommitted write.
 * It exits by itself after HANG_MAX_MS (default 120 s) so an orphan can never outlive a test run.
 *
 * Run: node --import tsx tests/support/claim-and-hang.ts
 */
import { createDb } from "../../app/db.server";
import { claimNextJob } from "../../app/services/jobs.server";
import { ensureShop } from "../../app/services/store.server";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("claim-and-hang: DATABASE_URL is not set");
  process.exit(2);
}
const maxMs = Number(process.env.HANG_MAX_MS ?? 120_000);
const exitTimer = setTimeout(() => process.exit(3), maxMs);
const mode = process.env.HANG_MODE ?? "after-claim";
const workerId = `claim-and-hang:${process.pid}`;

const db = createDb(databaseUrl);
const job = await claimNextJob(db, {
  workerId,
  now: new Date(),
  databaseUrl,
  leaseMs: process.env.JOB_LEASE_MS ? Number(process.env.JOB_LEASE_MS) : undefined,
});
const report = (state: string) =>
  process.stdout.write(
    `${JSON.stringify({ state, jobId: job?.id ?? null, attempts: job?.attempts ?? null, workerId })}\n`,
  );

if (!job) {
  report("nothing-to-claim");
  clearTimeout(exitTimer);
  await db.$disconnect();
  process.exit(1);
}

if (mode === "mid-write") {
  const payload = JSON.parse(job.payload) as { id: number | string; name?: string; currency?: string };
  const shop = await ensureShop(db, job.shopDomain);
  await db.$transaction(
    async (tx) => {
      await tx.order.create({
        data: {
          shopId: shop.id,
          externalId: String(payload.id),
          name: payload.name ?? "partial",
          currency: payload.currency ?? "USD",
          subtotalMinor: 0,
          totalMinor: 0,
          processedAt: new Date(),
          sourceUpdatedAt: new Date(),
        },
      });
      report("writing");
      // Never resolves: the process is killed here, inside the open transaction.
      await new Promise<never>(() => undefined);
    },
    { timeout: maxMs, maxWait: 10_000 },
  );
} else {
  report("claimed");
  await new Promise<never>(() => undefined);
}
