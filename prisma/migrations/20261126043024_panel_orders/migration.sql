-- AlterTable
ALTER TABLE "ApprovalRequest" ADD COLUMN "writtenAt" DATETIME;
ALTER TABLE "ApprovalRequest" ADD COLUMN "writtenOrderId" TEXT;

-- CreateTable
CREATE TABLE "DemoOpenOrder" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'OPEN',
    "version" INTEGER NOT NULL DEFAULT 1,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "DemoOpenOrder_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "platform" TEXT NOT NULL DEFAULT 'shopify',
    "shopDomain" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedAt" DATETIME,
    "lockedBy" TEXT,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);
INSERT INTO "new_Job" ("attempts", "createdAt", "finishedAt", "id", "lastError", "lockedAt", "lockedBy", "maxAttempts", "payload", "runAt", "shopDomain", "status", "type") SELECT "attempts", "createdAt", "finishedAt", "id", "lastError", "lockedAt", "lockedBy", "maxAttempts", "payload", "runAt", "shopDomain", "status", "type" FROM "Job";
DROP TABLE "Job";
ALTER TABLE "new_Job" RENAME TO "Job";
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");
CREATE INDEX "Job_shopDomain_status_idx" ON "Job"("shopDomain", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "DemoOpenOrder_shopId_locationExternalId_state_updatedAt_idx" ON "DemoOpenOrder"("shopId", "locationExternalId", "state", "updatedAt");
