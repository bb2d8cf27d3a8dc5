-- CreateTable
CREATE TABLE "SecurityEvent" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "claimedShop" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "SecurityEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SecurityEvent_claimedShop_bucket_idx" ON "SecurityEvent"("claimedShop", "bucket");

-- CreateIndex
CREATE UNIQUE INDEX "SecurityEvent_kind_claimedShop_source_bucket_key" ON "SecurityEvent"("kind", "claimedShop", "source", "bucket");
