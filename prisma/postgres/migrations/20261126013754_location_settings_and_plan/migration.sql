-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "planCheckedAt" TIMESTAMP(3),
ADD COLUMN     "planHandle" TEXT,
ADD COLUMN     "planName" TEXT,
ADD COLUMN     "planStatus" TEXT,
ADD COLUMN     "planTrialEndsAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "LocationSettings" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT NOT NULL DEFAULT '',
    "copilotEnabled" BOOLEAN NOT NULL DEFAULT true,
    "returnsEnabled" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LocationSettings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "LocationSettings_shopId_locationExternalId_key" ON "LocationSettings"("shopId", "locationExternalId");

-- AddForeignKey
ALTER TABLE "LocationSettings" ADD CONSTRAINT "LocationSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
