-- CreateEnum
CREATE TYPE "HealthState" AS ENUM ('HEALTHY', 'DEGRADED', 'BROKEN', 'RECOVERED');

-- AlterEnum
ALTER TYPE "CheckTrigger" ADD VALUE 'SCHEDULED';

-- AlterTable
ALTER TABLE "Environment" ADD COLUMN     "brokenSince" TIMESTAMP(3),
ADD COLUMN     "health" "HealthState",
ADD COLUMN     "healthCause" TEXT,
ADD COLUMN     "healthCauseId" TEXT,
ADD COLUMN     "healthChangedAt" TIMESTAMP(3),
ADD COLUMN     "lastVerifiedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "brokenSince" TIMESTAMP(3),
ADD COLUMN     "health" "HealthState";

-- CreateIndex
CREATE INDEX "Tenant_health_idx" ON "Tenant"("health");
