-- CreateTable
CREATE TABLE "AiSettings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "dailyTokenBudget" INTEGER NOT NULL DEFAULT 200000,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AiSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AiUsage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "tokens" INTEGER NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "AiUsage_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AiOutput" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "promptId" TEXT NOT NULL,
    "promptVersion" INTEGER NOT NULL,
    "model" TEXT NOT NULL,
    "output" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "AiOutput_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ReturnCheck" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "policyVersion" INTEGER NOT NULL,
    "orderExternalId" TEXT,
    "locationExternalId" TEXT,
    "deviceId" TEXT,
    "userId" TEXT,
    "staffMemberId" TEXT,
    "receipt" TEXT NOT NULL,
    "reasonCode" TEXT NOT NULL,
    "reasonSource" TEXT NOT NULL DEFAULT 'cashier',
    "reasonPromptVersion" INTEGER,
    "verdict" TEXT NOT NULL,
    "refundableMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "request" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "ReturnCheck_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ReturnCheck" ("createdAt", "currency", "deviceId", "id", "locationExternalId", "orderExternalId", "policyVersion", "reasonCode", "receipt", "refundableMinor", "request", "result", "shopId", "staffMemberId", "userId", "verdict") SELECT "createdAt", "currency", "deviceId", "id", "locationExternalId", "orderExternalId", "policyVersion", "reasonCode", "receipt", "refundableMinor", "request", "result", "shopId", "staffMemberId", "userId", "verdict" FROM "ReturnCheck";
DROP TABLE "ReturnCheck";
ALTER TABLE "new_ReturnCheck" RENAME TO "ReturnCheck";
CREATE INDEX "ReturnCheck_shopId_createdAt_idx" ON "ReturnCheck"("shopId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "AiSettings_shopId_key" ON "AiSettings"("shopId");

-- CreateIndex
CREATE UNIQUE INDEX "AiUsage_shopId_day_key" ON "AiUsage"("shopId", "day");

-- CreateIndex
CREATE INDEX "AiOutput_shopId_kind_createdAt_idx" ON "AiOutput"("shopId", "kind", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AiOutput_shopId_kind_key_promptVersion_key" ON "AiOutput"("shopId", "kind", "key", "promptVersion");
