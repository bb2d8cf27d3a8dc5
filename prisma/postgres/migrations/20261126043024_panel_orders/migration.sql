-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "platform" TEXT NOT NULL DEFAULT 'shopify';

-- AlterTable
ALTER TABLE "ApprovalRequest" ADD COLUMN     "writtenAt" TIMESTAMP(3),
ADD COLUMN     "writtenOrderId" TEXT;

-- CreateTable
CREATE TABLE "DemoOpenOrder" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'OPEN',
    "version" INTEGER NOT NULL DEFAULT 1,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DemoOpenOrder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DemoOpenOrder_shopId_locationExternalId_state_updatedAt_idx" ON "DemoOpenOrder"("shopId", "locationExternalId", "state", "updatedAt");

-- AddForeignKey
ALTER TABLE "DemoOpenOrder" ADD CONSTRAINT "DemoOpenOrder_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
