-- CreateEnum
CREATE TYPE "SubscriptionStatus" AS ENUM ('PENDING', 'SUBSCRIBED', 'SUSPENDED', 'UNSUBSCRIBED');

-- CreateTable
CREATE TABLE "MarketplaceSubscription" (
    "id" UUID NOT NULL,
    "tenantId" UUID,
    "beneficiaryTenantId" UUID NOT NULL,
    "beneficiaryEmail" TEXT,
    "beneficiaryObjectId" UUID,
    "purchaserTenantId" UUID,
    "purchaserEmail" TEXT,
    "purchaserObjectId" UUID,
    "name" TEXT NOT NULL,
    "publisherId" TEXT NOT NULL,
    "offerId" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "quantity" INTEGER,
    "status" "SubscriptionStatus" NOT NULL,
    "isTest" BOOLEAN NOT NULL DEFAULT false,
    "isFreeTrial" BOOLEAN NOT NULL DEFAULT false,
    "termUnit" TEXT,
    "termStartDate" TIMESTAMP(3),
    "termEndDate" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" TIMESTAMP(3),
    "activatedByName" TEXT,
    "activatedByObjectId" UUID,
    "suspendedAt" TIMESTAMP(3),
    "unsubscribedAt" TIMESTAMP(3),
    "lastOperationAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MarketplaceSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MarketplaceOperation" (
    "id" UUID NOT NULL,
    "subscriptionId" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "planId" TEXT,
    "quantity" INTEGER,
    "previousPlanId" TEXT,
    "previousQuantity" INTEGER,
    "occurredAt" TIMESTAMP(3),
    "source" TEXT,
    "detail" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MarketplaceOperation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MarketplaceSubscription_tenantId_idx" ON "MarketplaceSubscription"("tenantId");

-- CreateIndex
CREATE INDEX "MarketplaceSubscription_beneficiaryTenantId_idx" ON "MarketplaceSubscription"("beneficiaryTenantId");

-- CreateIndex
CREATE INDEX "MarketplaceSubscription_status_planId_idx" ON "MarketplaceSubscription"("status", "planId");

-- CreateIndex
CREATE INDEX "MarketplaceSubscription_resolvedAt_idx" ON "MarketplaceSubscription"("resolvedAt" DESC);

-- CreateIndex
CREATE INDEX "MarketplaceOperation_subscriptionId_receivedAt_idx" ON "MarketplaceOperation"("subscriptionId", "receivedAt" DESC);

-- AddForeignKey
ALTER TABLE "MarketplaceSubscription" ADD CONSTRAINT "MarketplaceSubscription_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MarketplaceOperation" ADD CONSTRAINT "MarketplaceOperation_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "MarketplaceSubscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;
