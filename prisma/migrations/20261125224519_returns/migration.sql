-- CreateTable
CREATE TABLE "ReturnPolicyVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "document" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReturnPolicyVersion_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReturnCheck" (
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
    "verdict" TEXT NOT NULL,
    "refundableMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "request" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "ReturnCheck_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ApprovalRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'discount',
    "locationExternalId" TEXT,
    "deviceId" TEXT,
    "userId" TEXT,
    "staffMemberId" TEXT,
    "cartHash" TEXT NOT NULL,
    "subtotalMinor" INTEGER NOT NULL,
    "discountKind" TEXT NOT NULL,
    "discountValue" REAL NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "reasonCode" TEXT NOT NULL,
    "note" TEXT,
    "status" TEXT NOT NULL,
    "triggers" TEXT NOT NULL DEFAULT '[]',
    "approverId" TEXT,
    "declineReason" TEXT,
    "tokenHash" TEXT,
    "tokenExpiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "decidedAt" DATETIME,
    "redeemedAt" DATETIME,
    CONSTRAINT "ApprovalRequest_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ApprovalRequest" ("amountMinor", "approverId", "cartHash", "createdAt", "currency", "decidedAt", "declineReason", "deviceId", "discountKind", "discountValue", "id", "locationExternalId", "note", "reasonCode", "redeemedAt", "shopId", "staffMemberId", "status", "subtotalMinor", "tokenExpiresAt", "tokenHash", "triggers", "userId") SELECT "amountMinor", "approverId", "cartHash", "createdAt", "currency", "decidedAt", "declineReason", "deviceId", "discountKind", "discountValue", "id", "locationExternalId", "note", "reasonCode", "redeemedAt", "shopId", "staffMemberId", "status", "subtotalMinor", "tokenExpiresAt", "tokenHash", "triggers", "userId" FROM "ApprovalRequest";
DROP TABLE "ApprovalRequest";
ALTER TABLE "new_ApprovalRequest" RENAME TO "ApprovalRequest";
CREATE INDEX "ApprovalRequest_shopId_status_createdAt_idx" ON "ApprovalRequest"("shopId", "status", "createdAt");
CREATE INDEX "ApprovalRequest_shopId_staffMemberId_createdAt_idx" ON "ApprovalRequest"("shopId", "staffMemberId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "ReturnPolicyVersion_shopId_version_key" ON "ReturnPolicyVersion"("shopId", "version");

-- CreateIndex
CREATE INDEX "ReturnCheck_shopId_createdAt_idx" ON "ReturnCheck"("shopId", "createdAt");
