-- The console's "stale checks" filter at 100,000 tenants (scripts/bench/console-scale.ts): "Tenant"."oldestCheckAt",
-- kept by the database like "environmentCount" (migration console_scale). Written by hand around what
-- `npm run db:diff` wrote: the trigger (Prisma's schema does not describe triggers).

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "oldestCheckAt" TIMESTAMP(3);

-- Every tenant's environments read once: the oldest latest check, or null when one was never checked.
UPDATE "Tenant" t SET "oldestCheckAt" = o."oldest"
FROM (
  SELECT "tenantId", CASE WHEN bool_and("latestCheckAt" IS NOT NULL) THEN min("latestCheckAt") END AS "oldest"
  FROM "Environment" GROUP BY "tenantId"
) o
WHERE o."tenantId" = t."id" AND o."oldest" IS NOT NULL;

-- CreateIndex
CREATE INDEX "Tenant_oldestCheckAt_environmentCount_idx" ON "Tenant"("oldestCheckAt", "environmentCount");

-- Kept from here on by the trigger below, whenever an environment comes, goes or is checked (the portal's own
-- writes, a cascade, a script's or a test's alike). It reads the tenant's few environments (their tenant index) and
-- writes the tenant only when the value changes.
CREATE FUNCTION "Environment_oldest_check_in_tenant"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tenant uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD."tenantId" ELSE NEW."tenantId" END;
  oldest timestamp(3);
BEGIN
  SELECT CASE WHEN bool_and(e."latestCheckAt" IS NOT NULL) THEN min(e."latestCheckAt") END INTO oldest
  FROM "Environment" e WHERE e."tenantId" = tenant;
  UPDATE "Tenant" SET "oldestCheckAt" = oldest WHERE "id" = tenant AND "oldestCheckAt" IS DISTINCT FROM oldest;
  RETURN NULL;
END
$$;

CREATE TRIGGER "Environment_oldest_check_in_tenant" AFTER INSERT OR DELETE OR UPDATE OF "latestCheckAt" ON "Environment"
FOR EACH ROW EXECUTE FUNCTION "Environment_oldest_check_in_tenant"();
