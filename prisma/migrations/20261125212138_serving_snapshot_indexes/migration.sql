-- CreateIndex
CREATE INDEX "Product_shopId_updatedAt_idx" ON "Product"("shopId", "updatedAt");

-- CreateIndex
CREATE INDEX "InventoryLevel_shopId_updatedAt_idx" ON "InventoryLevel"("shopId", "updatedAt");
