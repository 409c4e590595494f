// `npm run db:seed`: demo data for the embedded database, matching the emulator's demo scenario
// (emulator/demo-ids.ts), so the support console has tenants in several states from the first start.
// Idempotent: a tenant that already exists is left as it is.
//
// Environment: DATABASE_URL (default pglite:.data/pglite), EMULATOR_PORT (44300; part of the demo URLs).
import { PrismaClient } from "../lib/generated/prisma/client";
import { createAdapterFactory } from "../lib/db/adapter";
import { DEFAULT_EMBEDDED_DATABASE_URL, parseDatabaseUrl } from "../lib/db/url";
import { DEMO_IDS } from "../emulator/demo-ids";

const target = parseDatabaseUrl(process.env.DATABASE_URL?.trim() || DEFAULT_EMBEDDED_DATABASE_URL);
const emulatorPort = process.env.EMULATOR_PORT || "44300";
const envUrl = (org: string, region: string) => `https://${org}.${region}.dynamics.localhost:${emulatorPort}`;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const STEP_NAMES = ["token", "whoami", "application-user", "roles", "privileges", "sample-read"] as const;

async function seed(prisma: PrismaClient) {
  const system = { actorKind: "SYSTEM" as const, actorName: "Demo seed" };
  let created = 0;

  const fabrikam = DEMO_IDS.tenants.fabrikam;
  if (!(await prisma.tenant.findUnique({ where: { id: fabrikam }, select: { id: true } }))) {
    created++;
    await prisma.$transaction(async (tx) => {
      await tx.tenant.create({
        data: {
          id: fabrikam,
          displayName: "Fabrikam",
          primaryDomain: "fabrikam.onmicrosoft.com",
          source: "APPSOURCE",
          sourceTag: "appsource",
          firstSignInAt: minutesAgo(60 * 24 * 3),
          consentState: "GRANTED",
          consentGrantedAt: minutesAgo(60 * 24 * 3 - 5),
          consentVerifiedAt: minutesAgo(60 * 24 * 3 - 4),
          consentGrantedByName: "Fabrikam Global Administrator",
          latestCheckOutcome: "PASSED",
          latestCheckAt: minutesAgo(42),
        },
      });
      const environment = await tx.environment.create({
        data: { tenantId: fabrikam, url: envUrl("fabrikam", "crm4"), friendlyName: "Fabrikam (Production)" },
        select: { id: true },
      });
      const check = await tx.connectionCheck.create({
        data: {
          tenantId: fabrikam,
          environmentId: environment.id,
          trigger: "CUSTOMER",
          startedAt: minutesAgo(42),
          finishedAt: minutesAgo(42),
          outcome: "PASSED",
          durationMs: 640,
          entraRequests: 1,
          dataverseRequests: 2,
          steps: {
            create: STEP_NAMES.map((name, ordinal) => ({ tenantId: fabrikam, ordinal, name, outcome: "PASSED" as const, durationMs: 90 + ordinal * 10 })),
          },
        },
        select: { id: true },
      });
      await tx.environment.update({
        where: { id: environment.id },
        data: { latestCheckId: check.id, latestCheckOutcome: "PASSED", latestCheckAt: minutesAgo(42) },
      });
      await tx.auditEvent.createMany({
        data: [
          { ...system, tenantId: fabrikam, action: "tenant.signed_in", targetType: "tenant", targetId: fabrikam, createdAt: minutesAgo(60 * 24 * 3) },
          { ...system, tenantId: fabrikam, action: "consent.verified", targetType: "tenant", targetId: fabrikam, createdAt: minutesAgo(60 * 24 * 3 - 4) },
          { ...system, tenantId: fabrikam, action: "environment.registered", targetType: "environment", targetId: environment.id },
          { ...system, tenantId: fabrikam, action: "check.finished", targetType: "check", targetId: check.id, details: { outcome: "PASSED" } },
        ],
      });
    });
  }
  return created;
}

async function main() {
  const prisma = new PrismaClient({ adapter: createAdapterFactory(target) });
  try {
    const created = await seed(prisma);
    console.log(created ? `Seeded demo data into ${target.display}.` : `Demo data already present in ${target.display}.`);
  } finally {
    await prisma.$disconnect();
  }
}

main().then(
  () => process.exit(0), // PGlite keeps the event loop alive; exit explicitly (stack.md).
  (error: unknown) => {
    console.error(`db:seed failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    process.exit(1);
  },
);
