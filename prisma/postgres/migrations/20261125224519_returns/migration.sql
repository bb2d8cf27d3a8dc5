-- AlterTable
ALTER TABLE "ApprovalRequest" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'discount';

-- CreateTable
CREATE TABLE "ReturnPolicyVersion" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "document" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReturnPolicyVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReturnCheck" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReturnCheck_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReturnPolicyVersion_shopId_version_key" ON "ReturnPolicyVersion"("shopId", "version");

-- CreateIndex
CREATE INDEX "ReturnCheck_shopId_createdAt_idx" ON "ReturnCheck"("shopId", "createdAt");

-- AddForeignKey
ALTER TABLE "ReturnPolicyVersion" ADD CONSTRAINT "ReturnPolicyVersion_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReturnCheck" ADD CONSTRAINT "ReturnCheck_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
