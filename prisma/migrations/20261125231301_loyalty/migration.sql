-- CreateTable
CREATE TABLE "LoyaltyProgram" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "document" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyProgram_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoyaltyAccount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerExternalId" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyAccount_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoyaltyLedgerEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerExternalId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "orderExternalId" TEXT,
    "reservationId" TEXT,
    "actor" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyLedgerEntry_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoyaltyReservation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerExternalId" TEXT NOT NULL,
    "rewardId" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "valueMinor" INTEGER NOT NULL,
    "discountKind" TEXT NOT NULL,
    "discountValue" REAL NOT NULL,
    "status" TEXT NOT NULL,
    "locationExternalId" TEXT,
    "deviceId" TEXT,
    "userId" TEXT,
    "orderExternalId" TEXT,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "LoyaltyReservation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyProgram_shopId_key" ON "LoyaltyProgram"("shopId");

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyAccount_shopId_customerExternalId_key" ON "LoyaltyAccount"("shopId", "customerExternalId");

-- CreateIndex
CREATE INDEX "LoyaltyLedgerEntry_shopId_customerExternalId_createdAt_idx" ON "LoyaltyLedgerEntry"("shopId", "customerExternalId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "LoyaltyLedgerEntry_shopId_key_key" ON "LoyaltyLedgerEntry"("shopId", "key");

-- CreateIndex
CREATE INDEX "LoyaltyReservation_shopId_status_expiresAt_idx" ON "LoyaltyReservation"("shopId", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "LoyaltyReservation_shopId_customerExternalId_idx" ON "LoyaltyReservation"("shopId", "customerExternalId");
