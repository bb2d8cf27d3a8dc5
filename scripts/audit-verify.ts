/**
 * Verifies the audit log's hash chains:
 *
 *   npm run audit:verify [-- --shop DOMAIN]
 *
 * Recomputes every shop's chain (or one shop's) from its first event and names the first row
 * that was edited, removed or inserted. Reads DATABASE_URL like the app (.env when present).
 * Exit codes: 0 every chain intact, 1 a chain is broken, 2 bad arguments or an unknown shop.
 */
import fs from "node:fs";
import { createDb } from "../app/db.server";
import { verifyAuditChain } from "../app/services/audit.server";

const USAGE = "usage: npm run audit:verify [-- --shop DOMAIN]";

function parseArgs(argv: string[]): { shop: string | null } {
  let shop: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--shop" && argv[i + 1]) shop = argv[++i]!.toLowerCase();
    else if (argv[i] === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown argument ${argv[i]}\n${USAGE}`);
      process.exit(2);
    }
  }
  return { shop };
}

const { shop } = parseArgs(process.argv.slice(2));
if (!process.env.DATABASE_URL && fs.existsSync(".env")) process.loadEnvFile(".env");
const db = createDb(process.env.DATABASE_URL ?? "file:./prisma/data/dev.db");
try {
  const shops = await db.shop.findMany({
    where: shop ? { domain: shop } : {},
    select: { id: true, domain: true },
    orderBy: { domain: "asc" },
  });
  if (shop && shops.length === 0) {
    console.error(`no shop ${shop} in this database`);
    process.exitCode = 2;
  }
  for (const { id, domain } of shops) {
    const verdict = await verifyAuditChain(db, id);
    if (verdict.ok) console.log(`${domain}: intact (${verdict.checked} events)`);
    else {
      const bad = verdict.firstBad!;
      console.log(
        `${domain}: BROKEN at event #${bad.seq} (row ${bad.id}): ${bad.reason}; ${verdict.checked} events before it are intact`,
      );
      process.exitCode = 1;
    }
  }
} finally {
  await db.$disconnect();
}
