-- AlterTable
ALTER TABLE "Manager" ADD COLUMN     "disabledAt" TIMESTAMP(3),
ADD COLUMN     "failedPins" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lockedUntil" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ApprovalPolicy" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "maxPercent" DOUBLE PRECISION NOT NULL DEFAULT 15,
    "maxAmountMinor" INTEGER NOT NULL DEFAULT 5000,
    "shiftLimitMinor" INTEGER NOT NULL DEFAULT 10000,
    "shiftHours" INTEGER NOT NULL DEFAULT 12,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApprovalPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalRequest" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT,
    "deviceId" TEXT,
    "userId" TEXT,
    "staffMemberId" TEXT,
    "cartHash" TEXT NOT NULL,
    "subtotalMinor" INTEGER NOT NULL,
    "discountKind" TEXT NOT NULL,
    "discountValue" DOUBLE PRECISION NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "reasonCode" TEXT NOT NULL,
    "note" TEXT,
    "status" TEXT NOT NULL,
    "triggers" TEXT NOT NULL DEFAULT '[]',
    "approverId" TEXT,
    "declineReason" TEXT,
    "tokenHash" TEXT,
    "tokenExpiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "redeemedAt" TIMESTAMP(3),

    CONSTRAINT "ApprovalRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeviceLockout" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "deviceKey" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeviceLockout_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalPolicy_shopId_locationExternalId_key" ON "ApprovalPolicy"("shopId", "locationExternalId");

-- CreateIndex
CREATE INDEX "ApprovalRequest_shopId_status_createdAt_idx" ON "ApprovalRequest"("shopId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "ApprovalRequest_shopId_staffMemberId_createdAt_idx" ON "ApprovalRequest"("shopId", "staffMemberId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "DeviceLockout_shopId_deviceKey_key" ON "DeviceLockout"("shopId", "deviceKey");

-- AddForeignKey
ALTER TABLE "ApprovalPolicy" ADD CONSTRAINT "ApprovalPolicy_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalRequest" ADD CONSTRAINT "ApprovalRequest_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeviceLockout" ADD CONSTRAINT "DeviceLockout_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
