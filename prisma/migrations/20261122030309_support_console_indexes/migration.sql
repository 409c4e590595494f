-- CreateIndex
CREATE INDEX "AuditEvent_actorKind_createdAt_idx" ON "AuditEvent"("actorKind", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Environment_latestCheckAt_idx" ON "Environment"("latestCheckAt");

-- CreateIndex
CREATE INDEX "Tenant_latestCheckAt_idx" ON "Tenant"("latestCheckAt");

-- CreateIndex
CREATE INDEX "Tenant_displayName_idx" ON "Tenant"("displayName");

-- CreateIndex
CREATE INDEX "Tenant_latestFailingStep_idx" ON "Tenant"("latestFailingStep");
