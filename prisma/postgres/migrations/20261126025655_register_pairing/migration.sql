-- CreateTable
CREATE TABLE "PairingCode" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PairingCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegisterDevice" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "locationExternalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "RegisterDevice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PairingCode_codeHash_key" ON "PairingCode"("codeHash");

-- CreateIndex
CREATE INDEX "PairingCode_shopId_createdAt_idx" ON "PairingCode"("shopId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "RegisterDevice_secretHash_key" ON "RegisterDevice"("secretHash");

-- CreateIndex
CREATE INDEX "RegisterDevice_shopId_locationExternalId_idx" ON "RegisterDevice"("shopId", "locationExternalId");

-- AddForeignKey
ALTER TABLE "PairingCode" ADD CONSTRAINT "PairingCode_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegisterDevice" ADD CONSTRAINT "RegisterDevice_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
