-- CreateEnum
CREATE TYPE "DelegatedPurpose" AS ENUM ('DISCOVERY', 'SETUP');

-- CreateEnum
CREATE TYPE "SetupOutcome" AS ENUM ('SUCCEEDED', 'FAILED', 'NEEDS_DECISION');

-- CreateTable
CREATE TABLE "DelegatedAuthorization" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "stateHash" TEXT NOT NULL,
    "sessionId" UUID NOT NULL,
    "purpose" "DelegatedPurpose" NOT NULL,
    "environmentId" UUID,
    "approvals" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "codeVerifier" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "DelegatedAuthorization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnvironmentDiscovery" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "sessionId" UUID NOT NULL,
    "instances" JSONB NOT NULL,
    "usedInstanceIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "diagnosis" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EnvironmentDiscovery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnvironmentSetup" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "startedByObjectId" UUID,
    "startedByName" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" "SetupOutcome" NOT NULL,
    "steps" JSONB NOT NULL,
    "diagnosis" JSONB,
    "decision" JSONB,
    "roleId" UUID,
    "applicationUserId" UUID,
    "checkId" UUID,

    CONSTRAINT "EnvironmentSetup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DelegatedAuthorization_stateHash_key" ON "DelegatedAuthorization"("stateHash");

-- CreateIndex
CREATE INDEX "DelegatedAuthorization_tenantId_idx" ON "DelegatedAuthorization"("tenantId");

-- CreateIndex
CREATE INDEX "DelegatedAuthorization_expiresAt_idx" ON "DelegatedAuthorization"("expiresAt");

-- CreateIndex
CREATE INDEX "EnvironmentDiscovery_tenantId_idx" ON "EnvironmentDiscovery"("tenantId");

-- CreateIndex
CREATE INDEX "EnvironmentSetup_tenantId_idx" ON "EnvironmentSetup"("tenantId");

-- CreateIndex
CREATE INDEX "EnvironmentSetup_environmentId_startedAt_idx" ON "EnvironmentSetup"("environmentId", "startedAt");

-- AddForeignKey
ALTER TABLE "DelegatedAuthorization" ADD CONSTRAINT "DelegatedAuthorization_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DelegatedAuthorization" ADD CONSTRAINT "DelegatedAuthorization_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "PortalSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnvironmentDiscovery" ADD CONSTRAINT "EnvironmentDiscovery_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnvironmentDiscovery" ADD CONSTRAINT "EnvironmentDiscovery_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "PortalSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnvironmentSetup" ADD CONSTRAINT "EnvironmentSetup_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnvironmentSetup" ADD CONSTRAINT "EnvironmentSetup_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
