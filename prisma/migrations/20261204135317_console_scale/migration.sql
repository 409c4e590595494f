-- The support console at 100,000 tenants (scripts/bench/console-scale.ts). Written by hand around what
-- `npm run db:diff` wrote: the extension (Prisma's schema does not list extensions), and the trigger that keeps
-- "Tenant"."environmentCount" (Prisma's schema does not describe triggers).

-- The console's search uses trigram indexes: pg_trgm, a contrib extension that PostgreSQL and PGlite ship
-- (PGlite loads it when the instance is made: lib/db/pglite-extensions.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- DropIndex
DROP INDEX "Tenant_createdAt_idx";

-- DropIndex
DROP INDEX "Tenant_displayName_idx";

-- DropIndex
DROP INDEX "Tenant_latestCheckAt_idx";

-- DropIndex
DROP INDEX "Tenant_latestCheckOutcome_latestCheckAt_idx";

-- DropIndex
DROP INDEX "Tenant_primaryDomain_idx";

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "environmentCount" INTEGER NOT NULL DEFAULT 0;

-- Every tenant's environments counted once.
UPDATE "Tenant" t SET "environmentCount" = c."n"
FROM (SELECT "tenantId", count(*)::int AS "n" FROM "Environment" GROUP BY "tenantId") c
WHERE c."tenantId" = t."id";

-- CreateIndex
CREATE INDEX "AuditEvent_tenantId_actorKind_idx" ON "AuditEvent"("tenantId", "actorKind");

-- CreateIndex
CREATE INDEX "Environment_url_trgm_idx" ON "Environment" USING GIN ("url" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Tenant_latestCheckOutcome_latestCheckAt_id_idx" ON "Tenant"("latestCheckOutcome", "latestCheckAt", "id");

-- CreateIndex
CREATE INDEX "Tenant_primaryDomain_id_idx" ON "Tenant"("primaryDomain", "id");

-- CreateIndex
CREATE INDEX "Tenant_createdAt_id_idx" ON "Tenant"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Tenant_latestCheckAt_id_idx" ON "Tenant"("latestCheckAt", "id");

-- CreateIndex
CREATE INDEX "Tenant_displayName_id_idx" ON "Tenant"("displayName", "id");

-- CreateIndex
CREATE INDEX "Tenant_latestCheckOutcome_environmentCount_consentState_dis_idx" ON "Tenant"("latestCheckOutcome", "environmentCount", "consentState", "disconnectedAt", "latestCheckAt", "latestFailingStep");

-- CreateIndex
CREATE INDEX "Tenant_source_idx" ON "Tenant"("source");

-- CreateIndex
CREATE INDEX "Tenant_displayName_trgm_idx" ON "Tenant" USING GIN ("displayName" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Tenant_customerReference_trgm_idx" ON "Tenant" USING GIN ("customerReference" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Tenant_primaryDomain_trgm_idx" ON "Tenant" USING GIN ("primaryDomain" gin_trgm_ops);

-- Kept from here on by the trigger below, on every insert and delete of an environment (the portal's own, a
-- cascade, a script's or a test's alike).
CREATE FUNCTION "Environment_count_in_tenant"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE "Tenant" SET "environmentCount" = "environmentCount" + 1 WHERE "id" = NEW."tenantId";
  ELSE
    UPDATE "Tenant" SET "environmentCount" = "environmentCount" - 1 WHERE "id" = OLD."tenantId";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "Environment_count_in_tenant" AFTER INSERT OR DELETE ON "Environment"
FOR EACH ROW EXECUTE FUNCTION "Environment_count_in_tenant"();
