-- CreateTable
CREATE TABLE "ApprovalPolicy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "maxPercent" REAL NOT NULL DEFAULT 15,
    "maxAmountMinor" INTEGER NOT NULL DEFAULT 5000,
    "shiftLimitMinor" INTEGER NOT NULL DEFAULT 10000,
    "shiftHours" INTEGER NOT NULL DEFAULT 12,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ApprovalPolicy_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApprovalRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
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

-- CreateTable
CREATE TABLE "DeviceLockout" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "deviceKey" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "DeviceLockout_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Manager" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'manager',
    "staffMemberId" TEXT,
    "locations" TEXT NOT NULL DEFAULT '[]',
    "pinHash" TEXT NOT NULL,
    "failedPins" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" DATETIME,
    "disabledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Manager_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Manager" ("createdAt", "id", "locations", "name", "pinHash", "role", "shopId", "staffMemberId") SELECT "createdAt", "id", "locations", "name", "pinHash", "role", "shopId", "staffMemberId" FROM "Manager";
DROP TABLE "Manager";
ALTER TABLE "new_Manager" RENAME TO "Manager";
CREATE INDEX "Manager_shopId_idx" ON "Manager"("shopId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalPolicy_shopId_locationExternalId_key" ON "ApprovalPolicy"("shopId", "locationExternalId");

-- CreateIndex
CREATE INDEX "ApprovalRequest_shopId_status_createdAt_idx" ON "ApprovalRequest"("shopId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "ApprovalRequest_shopId_staffMemberId_createdAt_idx" ON "ApprovalRequest"("shopId", "staffMemberId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "DeviceLockout_shopId_deviceKey_key" ON "DeviceLockout"("shopId", "deviceKey");
