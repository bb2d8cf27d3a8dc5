-- CreateTable
CREATE TABLE "RecommendationModel" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "basketCount" INTEGER NOT NULL,
    "productCount" INTEGER NOT NULL,
    "trainedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecommendationModel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SuggestionSettings" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "maxSuggestions" INTEGER NOT NULL DEFAULT 3,
    "excludedTags" TEXT NOT NULL DEFAULT '[]',
    "excludedProductIds" TEXT NOT NULL DEFAULT '[]',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SuggestionSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SuggestionEvent" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "productExternalId" TEXT NOT NULL,
    "variantExternalId" TEXT NOT NULL,
    "locationExternalId" TEXT,
    "priceMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "modelVersion" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SuggestionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SuggestionAttribution" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "lineItemExternalId" TEXT NOT NULL,
    "suggestionEventId" TEXT NOT NULL,
    "revenueMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SuggestionAttribution_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RecommendationModel_shopId_trainedAt_idx" ON "RecommendationModel"("shopId", "trainedAt");

-- CreateIndex
CREATE UNIQUE INDEX "SuggestionSettings_shopId_locationExternalId_key" ON "SuggestionSettings"("shopId", "locationExternalId");

-- CreateIndex
CREATE INDEX "SuggestionEvent_shopId_createdAt_idx" ON "SuggestionEvent"("shopId", "createdAt");

-- CreateIndex
CREATE INDEX "SuggestionEvent_shopId_variantExternalId_createdAt_idx" ON "SuggestionEvent"("shopId", "variantExternalId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SuggestionEvent_shopId_requestId_variantExternalId_kind_key" ON "SuggestionEvent"("shopId", "requestId", "variantExternalId", "kind");

-- CreateIndex
CREATE INDEX "SuggestionAttribution_shopId_createdAt_idx" ON "SuggestionAttribution"("shopId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SuggestionAttribution_orderId_lineItemExternalId_key" ON "SuggestionAttribution"("orderId", "lineItemExternalId");

-- AddForeignKey
ALTER TABLE "RecommendationModel" ADD CONSTRAINT "RecommendationModel_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SuggestionSettings" ADD CONSTRAINT "SuggestionSettings_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SuggestionEvent" ADD CONSTRAINT "SuggestionEvent_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SuggestionAttribution" ADD CONSTRAINT "SuggestionAttribution_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
