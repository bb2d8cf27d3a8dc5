-- CreateTable
CREATE TABLE "SecurityEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "claimedShop" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "bucket" DATETIME NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "firstSeenAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    "reason" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "SecurityEvent_claimedShop_bucket_idx" ON "SecurityEvent"("claimedShop", "bucket");

-- CreateIndex
CREATE UNIQUE INDEX "SecurityEvent_kind_claimedShop_source_bucket_key" ON "SecurityEvent"("kind", "claimedShop", "source", "bucket");
