-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "planCheckedAt" DATETIME;
ALTER TABLE "Shop" ADD COLUMN "planHandle" TEXT;
ALTER TABLE "Shop" ADD COLUMN "planName" TEXT;
ALTER TABLE "Shop" ADD COLUMN "planStatus" TEXT;
ALTER TABLE "Shop" ADD COLUMN "planTrialEndsAt" DATETIME;

-- CreateTable
CREATE TABLE "LocationSettings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT NOT NULL DEFAULT '',
    "copilotEnabled" BOOLEAN NOT NULL DEFAULT true,
    "returnsEnabled" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LocationSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "LocationSettings_shopId_locationExternalId_key" ON "LocationSettings"("shopId", "locationExternalId");
