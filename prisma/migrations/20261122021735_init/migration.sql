-- CreateEnum
CREATE TYPE "TenantSource" AS ENUM ('APPSOURCE', 'INVITATION', 'DIRECT');

-- CreateEnum
CREATE TYPE "ConsentState" AS ENUM ('NOT_GRANTED', 'PENDING_VERIFICATION', 'GRANTED', 'REVOKED');

-- CreateEnum
CREATE TYPE "DataverseCloud" AS ENUM ('PUBLIC', 'GCC', 'GCC_HIGH', 'DOD', 'CHINA');

-- CreateEnum
CREATE TYPE "CheckOutcome" AS ENUM ('RUNNING', 'PASSED', 'WARNING', 'FAILED');

-- CreateEnum
CREATE TYPE "StepOutcome" AS ENUM ('PASSED', 'WARNING', 'FAILED', 'SKIPPED');

-- CreateEnum
CREATE TYPE "CheckTrigger" AS ENUM ('CUSTOMER', 'STAFF', 'SYSTEM');

-- CreateEnum
CREATE TYPE "ActorKind" AS ENUM ('CUSTOMER', 'STAFF', 'SYSTEM');

-- CreateTable
CREATE TABLE "Tenant" (
    "id" UUID NOT NULL,
    "displayName" TEXT,
    "primaryDomain" TEXT,
    "source" "TenantSource" NOT NULL DEFAULT 'DIRECT',
    "sourceTag" TEXT,
    "invitationId" UUID,
    "firstSignInAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSignInAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "consentState" "ConsentState" NOT NULL DEFAULT 'NOT_GRANTED',
    "consentGrantedAt" TIMESTAMP(3),
    "consentGrantedByObjectId" UUID,
    "consentGrantedByName" TEXT,
    "consentVerifiedAt" TIMESTAMP(3),
    "latestCheckOutcome" "CheckOutcome",
    "latestCheckAt" TIMESTAMP(3),
    "latestFailingStep" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Environment" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "cloud" "DataverseCloud" NOT NULL DEFAULT 'PUBLIC',
    "friendlyName" TEXT,
    "organizationId" UUID,
    "registeredByObjectId" UUID,
    "registeredByName" TEXT,
    "latestCheckId" UUID,
    "latestCheckOutcome" "CheckOutcome",
    "latestCheckAt" TIMESTAMP(3),
    "latestFailingStep" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Environment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConnectionCheck" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "environmentId" UUID NOT NULL,
    "trigger" "CheckTrigger" NOT NULL,
    "triggeredByObjectId" UUID,
    "triggeredByName" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "outcome" "CheckOutcome" NOT NULL DEFAULT 'RUNNING',
    "failingStep" TEXT,
    "durationMs" INTEGER,
    "entraRequests" INTEGER NOT NULL DEFAULT 0,
    "dataverseRequests" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ConnectionCheck_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckStep" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "checkId" UUID NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "outcome" "StepOutcome" NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "durationMs" INTEGER NOT NULL,
    "errorCode" TEXT,
    "customerCause" TEXT,
    "customerFix" TEXT,
    "vendorDetail" JSONB,
    "result" JSONB,

    CONSTRAINT "CheckStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" UUID NOT NULL,
    "tenantId" UUID,
    "actorKind" "ActorKind" NOT NULL,
    "actorTenantId" UUID,
    "actorObjectId" UUID,
    "actorName" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "details" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentRequest" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "stateHash" TEXT NOT NULL,
    "sessionId" UUID NOT NULL,
    "userObjectId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "ConsentRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PortalSession" (
    "id" UUID NOT NULL,
    "tenantId" UUID,
    "entraTenantId" UUID NOT NULL,
    "userObjectId" UUID NOT NULL,
    "userName" TEXT,
    "userPrincipalName" TEXT,
    "isStaff" BOOLEAN NOT NULL DEFAULT false,
    "appRoles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "PortalSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Invitation" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "tenantHint" TEXT,
    "note" TEXT,
    "createdByObjectId" UUID NOT NULL,
    "createdByName" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "usedAt" TIMESTAMP(3),
    "usedByTenantId" UUID,

    CONSTRAINT "Invitation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Tenant_consentState_idx" ON "Tenant"("consentState");

-- CreateIndex
CREATE INDEX "Tenant_latestCheckOutcome_latestCheckAt_idx" ON "Tenant"("latestCheckOutcome", "latestCheckAt");

-- CreateIndex
CREATE INDEX "Tenant_primaryDomain_idx" ON "Tenant"("primaryDomain");

-- CreateIndex
CREATE INDEX "Tenant_createdAt_idx" ON "Tenant"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_url_key" ON "Environment"("url");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_latestCheckId_key" ON "Environment"("latestCheckId");

-- CreateIndex
CREATE INDEX "Environment_tenantId_idx" ON "Environment"("tenantId");

-- CreateIndex
CREATE INDEX "ConnectionCheck_tenantId_startedAt_idx" ON "ConnectionCheck"("tenantId", "startedAt" DESC);

-- CreateIndex
CREATE INDEX "ConnectionCheck_environmentId_startedAt_idx" ON "ConnectionCheck"("environmentId", "startedAt" DESC);

-- CreateIndex
CREATE INDEX "ConnectionCheck_outcome_startedAt_idx" ON "ConnectionCheck"("outcome", "startedAt");

-- CreateIndex
CREATE INDEX "CheckStep_tenantId_idx" ON "CheckStep"("tenantId");

-- CreateIndex
CREATE INDEX "CheckStep_name_outcome_idx" ON "CheckStep"("name", "outcome");

-- CreateIndex
CREATE UNIQUE INDEX "CheckStep_checkId_ordinal_key" ON "CheckStep"("checkId", "ordinal");

-- CreateIndex
CREATE INDEX "AuditEvent_tenantId_createdAt_idx" ON "AuditEvent"("tenantId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_action_idx" ON "AuditEvent"("action");

-- CreateIndex
CREATE UNIQUE INDEX "ConsentRequest_stateHash_key" ON "ConsentRequest"("stateHash");

-- CreateIndex
CREATE INDEX "ConsentRequest_tenantId_idx" ON "ConsentRequest"("tenantId");

-- CreateIndex
CREATE INDEX "ConsentRequest_expiresAt_idx" ON "ConsentRequest"("expiresAt");

-- CreateIndex
CREATE INDEX "PortalSession_tenantId_idx" ON "PortalSession"("tenantId");

-- CreateIndex
CREATE INDEX "PortalSession_entraTenantId_userObjectId_idx" ON "PortalSession"("entraTenantId", "userObjectId");

-- CreateIndex
CREATE UNIQUE INDEX "Invitation_tokenHash_key" ON "Invitation"("tokenHash");

-- CreateIndex
CREATE INDEX "Invitation_usedByTenantId_idx" ON "Invitation"("usedByTenantId");

-- CreateIndex
CREATE INDEX "Invitation_createdAt_idx" ON "Invitation"("createdAt" DESC);

-- AddForeignKey
ALTER TABLE "Tenant" ADD CONSTRAINT "Tenant_invitationId_fkey" FOREIGN KEY ("invitationId") REFERENCES "Invitation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_latestCheckId_fkey" FOREIGN KEY ("latestCheckId") REFERENCES "ConnectionCheck"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectionCheck" ADD CONSTRAINT "ConnectionCheck_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectionCheck" ADD CONSTRAINT "ConnectionCheck_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckStep" ADD CONSTRAINT "CheckStep_checkId_fkey" FOREIGN KEY ("checkId") REFERENCES "ConnectionCheck"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentRequest" ADD CONSTRAINT "ConsentRequest_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentRequest" ADD CONSTRAINT "ConsentRequest_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "PortalSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PortalSession" ADD CONSTRAINT "PortalSession_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
