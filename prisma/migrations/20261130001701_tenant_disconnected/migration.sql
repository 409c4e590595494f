-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "disconnectedAt" TIMESTAMP(3),
ADD COLUMN     "disconnectedByName" TEXT,
ADD COLUMN     "disconnectedByObjectId" UUID;

-- CreateIndex
CREATE INDEX "Tenant_disconnectedAt_idx" ON "Tenant"("disconnectedAt");
