// `npm run db:seed`: demo data for the embedded database, matching the emulator's demo scenario
// (emulator/demo-ids.ts), so the support console has tenants in several states from the first start.
// Idempotent: a tenant that already exists is left as it is.
// The data is what the product itself would have written: an environment registered after its tenant consented,
// its checks after that, lastVerifiedAt on every environment that has worked (so scheduled re-verification picks
// it up), health as its checks would have left it (lib/checks/health.ts), and people's actions audited
// as theirs. Fabrikam is monitored: its customer's setup check three days ago, then a scheduled check every hour.
//
// Environment: DATABASE_URL (default pglite:.data/pglite), EMULATOR_PORT (44300; part of the demo URLs).
import { PrismaClient } from "../lib/generated/prisma/client";
import { createAdapterFactory } from "../lib/db/adapter";
import { DEFAULT_EMBEDDED_DATABASE_URL, parseDatabaseUrl } from "../lib/db/url";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { storedStepResult, storedVendorDetail, type VendorDetail } from "../lib/checks/step-results";
import { CHECK_STEPS, skipReason, type CheckStepName } from "../lib/checks/vocabulary";
import {
  diagnoseDataverseFailure,
  diagnoseTokenFailure,
  privilegesMissing,
  systemAdministratorHeld,
  type Diagnosis,
  type DiagnosisContext,
} from "../lib/checks/diagnoses";
import { config } from "../lib/config";
import { DataverseError } from "../lib/dataverse/web-api";
import { nextHealth, type HealthRecord } from "../lib/checks/health";

const target = parseDatabaseUrl(process.env.DATABASE_URL?.trim() || DEFAULT_EMBEDDED_DATABASE_URL);
const emulatorPort = process.env.EMULATOR_PORT || "44300";
const envUrl = (org: string, region: string) => `https://${org}.${region}.dynamics.localhost:${emulatorPort}`;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

// The seed's checks carry the same wording a real check would produce: it comes from lib/checks.
// Demo data: read the configuration as demo mode does (branding, role name) unless told otherwise.
process.env.PORTAL_MODE ||= "demo";
const c = config();
const diagnosisContext: DiagnosisContext = {
  branding: c.branding,
  roleName: c.dataverse.roleName,
  clientId: c.entra.clientId,
};
const STEP_NAMES = CHECK_STEPS;

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
type StepOutcomeName = "PASSED" | "WARNING" | "FAILED" | "SKIPPED";
type SeedCheck = {
  minutesAgo: number;
  /** Who ran it: the customer's administrator (default) or scheduled re-verification. */
  scheduled?: boolean;
  failAt?: { step: CheckStepName; diagnosis: Diagnosis; vendorDetail: VendorDetail };
  warnAt?: { step: CheckStepName; diagnosis: Diagnosis };
};

const SCHEDULED = "scheduled re-verification"; // lib/recheck/index.ts, as its checks and audit events name it

/** A customer's administrator as the audit trail records them. */
const person = (tenantId: string, name: string) => ({
  actorKind: "CUSTOMER" as const,
  actorTenantId: tenantId,
  actorName: name,
});

/**
 * An environment's checks, oldest first, as the product would have recorded them: each with its steps and its
 * check.started / check.finished events, the environment's latest check, lastVerifiedAt and health replayed
 * through lib/checks/health.ts, and the consent marked removed when a check proved it gone.
 */
async function recordChecks(
  tx: Tx,
  t: { id: string; admin: string; consentVerified: boolean },
  environment: { id: string; createdAt: Date },
  checks: SeedCheck[],
): Promise<void> {
  let health: HealthRecord = {
    health: null,
    brokenSince: null,
    healthCause: null,
    healthCauseId: null,
    lastVerifiedAt: null,
  };
  let latest: { id: string; outcome: "PASSED" | "WARNING" | "FAILED"; at: Date; failingStep: string | null } | null =
    null;
  let lastVerifiedAt: Date | null = null;
  let healthChangedAt: Date | null = null;
  for (const spec of [...checks].sort((a, b) => b.minutesAgo - a.minutesAgo)) {
    const outcome = spec.failAt ? "FAILED" : spec.warnAt ? "WARNING" : "PASSED";
    const at = minutesAgo(spec.minutesAgo);
    if (at < environment.createdAt)
      throw new Error(`A seeded check of ${t.id} would predate its environment's registration.`);
    const finishedAt = new Date(at.getTime() + (spec.scheduled ? 420 : 700));
    const check = await tx.connectionCheck.create({
      data: {
        tenantId: t.id,
        environmentId: environment.id,
        trigger: spec.scheduled ? "SCHEDULED" : "CUSTOMER",
        triggeredByName: spec.scheduled ? SCHEDULED : t.admin,
        startedAt: at,
        finishedAt,
        outcome,
        failingStep: spec.failAt?.step ?? null,
        durationMs: finishedAt.getTime() - at.getTime(),
        // A scheduled check of a working environment is warm: its token is cached, one $batch to Dataverse.
        entraRequests: spec.scheduled ? 0 : 1,
        dataverseRequests: spec.failAt?.step === "token" ? 0 : spec.scheduled ? 1 : 2,
        steps: { create: seedSteps(t.id, spec) },
      },
      select: { id: true },
    });
    const actor = spec.scheduled ? { actorKind: "SYSTEM" as const, actorName: SCHEDULED } : person(t.id, t.admin);
    const decisive = spec.failAt?.diagnosis ?? spec.warnAt?.diagnosis ?? null;
    const change = nextHealth(
      health,
      {
        outcome,
        startedAt: at,
        diagnosis: decisive?.id ?? null,
        errorCode: decisive?.microsoftCode ?? null,
        cause: decisive?.cause ?? null,
        consentWasVerified: t.consentVerified,
      },
      c.branding.appName,
      finishedAt,
    );
    const events: Array<{
      action: string;
      targetType: string;
      targetId: string;
      details: Record<string, string | null>;
    }> = [
      {
        action: "check.started",
        targetType: "check",
        targetId: check.id,
        details: { environmentId: environment.id, trigger: spec.scheduled ? "SCHEDULED" : "CUSTOMER" },
      },
    ];
    if (change.transition) {
      if (change.transition.consentRemoved) {
        await tx.tenant.update({ where: { id: t.id }, data: { consentState: "REVOKED" } });
        events.push({
          action: "consent.revoked",
          targetType: "tenant",
          targetId: t.id,
          details: { because: "re-verification", checkId: check.id },
        });
      }
      const { kind, from, to, causeId } = change.transition;
      events.push({
        action: `environment.${kind}`,
        targetType: "environment",
        targetId: environment.id,
        details: { checkId: check.id, from, to, cause: causeId },
      });
    }
    events.push({
      action: "check.finished",
      targetType: "check",
      targetId: check.id,
      details: { outcome, failingStep: spec.failAt?.step ?? null },
    });
    await tx.auditEvent.createMany({
      data: events.map((e, i) => ({ ...actor, tenantId: t.id, ...e, createdAt: i === 0 ? at : finishedAt })),
    });
    const { healthChangedAt: changed, ...next } = change.next;
    health = next;
    if (changed) healthChangedAt = changed;
    if (outcome !== "FAILED") lastVerifiedAt = at;
    latest = { id: check.id, outcome, at, failingStep: spec.failAt?.step ?? null };
  }
  if (!latest) return;
  const summary = {
    latestCheckOutcome: latest.outcome,
    latestCheckAt: latest.at,
    latestFailingStep: latest.failingStep,
  };
  await tx.environment.update({
    where: { id: environment.id },
    data: { latestCheckId: latest.id, ...summary, ...health, healthChangedAt, lastVerifiedAt },
  });
  // One environment per seeded tenant: the tenant's summary is its environment's.
  await tx.tenant.update({
    where: { id: t.id },
    data: { ...summary, health: health.health, brokenSince: health.brokenSince },
  });
}

async function seed(prisma: PrismaClient) {
  let created = 0;

  const fabrikam = DEMO_IDS.tenants.fabrikam;
  if (!(await prisma.tenant.findUnique({ where: { id: fabrikam }, select: { id: true } }))) {
    created++;
    await prisma.$transaction(async (tx) => {
      // Diego Siciliani, Fabrikam's Global Administrator in the emulator's demo scenario, onboarded it three days ago.
      const admin = "Diego Siciliani";
      const signedIn = minutesAgo(60 * 24 * 3);
      const registeredAt = minutesAgo(60 * 24 * 3 - 8);
      const readyAt = minutesAgo(60 * 24 * 3 - 10);
      await tx.tenant.create({
        data: {
          id: fabrikam,
          // As Microsoft Graph names it (the emulator's tenantInformation), read when it first signed in.
          displayName: "Fabrikam, Inc.",
          displayNameResolvedAt: signedIn,
          primaryDomain: "fabrikam.onmicrosoft.com",
          source: "APPSOURCE",
          sourceTag: "appsource",
          customerReference: "SUB-1001",
          firstSignInAt: signedIn,
          createdAt: signedIn,
          consentState: "GRANTED",
          consentGrantedAt: minutesAgo(60 * 24 * 3 - 5),
          consentVerifiedAt: minutesAgo(60 * 24 * 3 - 4),
          consentGrantedByName: admin,
        },
      });
      const environment = await tx.environment.create({
        data: {
          tenantId: fabrikam,
          url: envUrl("fabrikam", "crm4"),
          friendlyName: "Fabrikam (Production)",
          registeredByName: admin,
          createdAt: registeredAt,
        },
        select: { id: true, createdAt: true },
      });
      await tx.auditEvent.createMany({
        data: [
          {
            ...person(fabrikam, admin),
            tenantId: fabrikam,
            action: "tenant.created",
            targetType: "tenant",
            targetId: fabrikam,
            createdAt: signedIn,
            details: { source: "APPSOURCE", sourceTag: "appsource", customerReference: "SUB-1001" },
          },
          {
            ...person(fabrikam, admin),
            tenantId: fabrikam,
            action: "consent.verified",
            targetType: "tenant",
            targetId: fabrikam,
            createdAt: minutesAgo(60 * 24 * 3 - 4),
          },
          {
            ...person(fabrikam, admin),
            tenantId: fabrikam,
            action: "environment.registered",
            targetType: "environment",
            targetId: environment.id,
            createdAt: registeredAt,
            details: { url: envUrl("fabrikam", "crm4") },
          },
        ],
      });
      // The customer's own check when it was set up, then scheduled re-verification every hour of the last day.
      await recordChecks(tx, { id: fabrikam, admin, consentVerified: true }, environment, [
        { minutesAgo: 60 * 24 * 3 - 10 },
        ...Array.from({ length: 24 }, (_, i): SeedCheck => ({ minutesAgo: 60 * i + 17, scheduled: true })),
      ]);
      // The console's alert log and webhook log have something to show: what Fabrikam's first day sent (finished
      // states only, so no worker picks them up).
      await tx.mailMessage.create({
        data: {
          tenantId: fabrikam,
          kind: "alert.connection.ready",
          recipients: ["diego@fabrikam.onmicrosoft.com"],
          subject: "Fabrikam (Production) is connected to Northwind Sync",
          text: `Your environment ${envUrl("fabrikam", "crm4")} passed its connection check.`,
          status: "SENT",
          attempts: 1,
          createdAt: readyAt,
          sentAt: readyAt,
        },
      });
      const body = JSON.stringify({
        id: "0190f000-0000-7000-8000-00000000fab1",
        type: "connection.ready",
        tenantId: fabrikam,
        occurredAt: readyAt.toISOString(),
      });
      await tx.webhookDelivery.create({
        data: {
          eventType: "connection.ready",
          tenantId: fabrikam,
          body,
          status: "DELIVERED",
          attemptCount: 2,
          createdAt: readyAt,
          deliveredAt: new Date(readyAt.getTime() + 30_000),
          attempts: {
            create: [
              {
                attempt: 1,
                at: readyAt,
                statusCode: null,
                error: "connect ECONNREFUSED",
                durationMs: 12,
                nextAttemptAt: new Date(readyAt.getTime() + 30_000),
              },
              { attempt: 2, at: new Date(readyAt.getTime() + 30_000), statusCode: 204, durationMs: 48 },
            ],
          },
        },
      });
    });
  }
  return created;
}

// Tenants outside the emulator's scenario, one per onboarding stage, so the support console's list, filters and
// charts have something to show. Their ids are in no emulated tenant: a re-run from the console fails at the
// token step (unknown tenant), as it would for a customer that deleted its tenant.
type SeedTenant = {
  id: string;
  name: string;
  domain: string;
  source: "APPSOURCE" | "INVITATION" | "DIRECT";
  consented: boolean;
  signedInDaysAgo: number;
  /** The vendor's own id for the customer (its subscription number). */
  customerReference?: string;
  environment?: { org: string; region: string; friendlyName: string; checks: SeedCheck[] };
};

const SUPPORT_DEMO_TENANTS: SeedTenant[] = [
  {
    id: "1a7e5c00-0000-4000-8000-00000000a001",
    name: "Litware",
    customerReference: "SUB-1042",
    domain: "litware.onmicrosoft.com",
    source: "INVITATION",
    consented: true,
    signedInDaysAgo: 9,
    environment: {
      org: "litware",
      region: "crm",
      friendlyName: "Litware (Production)",
      checks: [
        { minutesAgo: 60 * 24 * 6 },
        {
          minutesAgo: 95,
          failAt: {
            step: "token",
            diagnosis: diagnoseTokenFailure(
              diagnosisContext,
              {
                httpStatus: 400,
                error: "unauthorized_client",
                aadstsCode: 700016,
                description: null,
                traceId: null,
                correlationId: null,
                timestamp: null,
              },
              null,
            ),
            vendorDetail: {
              service: "entra",
              httpStatus: 400,
              error: "unauthorized_client",
              aadstsCode: 700016,
              description:
                "AADSTS700016: Application with identifier '5e7b9c1d-2f4a-4b6c-8d0e-1f2a3b4c5d6e' was not found in the directory 'litware.onmicrosoft.com'.",
              traceId: "0d5e3f6a-11c2-4e8b-9a7d-3c2b1a0f9e8d",
              correlationId: "7b4c2d1e-5f6a-4b3c-8d9e-0a1b2c3d4e5f",
              timestamp: "2026-11-20 09:14:03Z",
            },
          },
        },
      ],
    },
  },
  {
    id: "1a7e5c00-0000-4000-8000-00000000a002",
    name: "Proseware",
    customerReference: "SUB-2310",
    domain: "proseware.com",
    source: "APPSOURCE",
    consented: true,
    signedInDaysAgo: 4,
    environment: {
      org: "proseware",
      region: "crm4",
      friendlyName: "Proseware (Sales)",
      checks: [
        {
          minutesAgo: 60 * 26,
          failAt: {
            step: "privileges",
            diagnosis: privilegesMissing(diagnosisContext, [{ name: "prvReadContact", depth: "Global", held: null }]),
            vendorDetail: { missing: [{ name: "prvReadContact", depth: "Global", held: null }], heldCount: 7 },
          },
        },
        {
          minutesAgo: 30,
          failAt: {
            step: "application-user",
            diagnosis: diagnoseDataverseFailure(
              diagnosisContext,
              c.dataverse.rolePrivileges,
              new DataverseError(403, "0x80072560", "The user is not a member of the organization.", null, null),
            ),
            vendorDetail: {
              service: "dataverse",
              httpStatus: 403,
              code: "0x80072560",
              message: "The user is not a member of the organization.",
              retryAfterSeconds: null,
              requestId: "c7f0a2b4-9d1e-4f3a-8b6c-2e5d7a9c1b3f",
            },
          },
        },
      ],
    },
  },
  {
    id: "1a7e5c00-0000-4000-8000-00000000a003",
    name: "Coho Winery",
    customerReference: "SUB-0877",
    domain: "cohowinery.com",
    source: "DIRECT",
    consented: true,
    signedInDaysAgo: 40,
    environment: {
      org: "cohowinery",
      region: "crm",
      friendlyName: "Coho Winery",
      checks: [
        {
          minutesAgo: 60 * 24 * 12,
          warnAt: { step: "least-privilege", diagnosis: systemAdministratorHeld(diagnosisContext) },
        },
      ],
    },
  },
  {
    id: "1a7e5c00-0000-4000-8000-00000000a004",
    name: "Alpine Ski House",
    customerReference: "SUB-3150",
    domain: "alpineskihouse.com",
    source: "INVITATION",
    consented: true,
    signedInDaysAgo: 2,
    environment: { org: "alpineskihouse", region: "crm", friendlyName: "Alpine Ski House", checks: [] },
  },
  {
    id: "1a7e5c00-0000-4000-8000-00000000a005",
    name: "Wide World Importers",
    domain: "wideworldimporters.com",
    source: "APPSOURCE",
    consented: true,
    signedInDaysAgo: 1,
    customerReference: "SUB-4100",
  },
  {
    id: "1a7e5c00-0000-4000-8000-00000000a006",
    name: "Woodgrove Bank",
    domain: "woodgrovebank.com",
    source: "DIRECT",
    consented: false,
    signedInDaysAgo: 3,
  },
];

function stepDiagnosis(d: Diagnosis) {
  return {
    errorCode: d.microsoftCode,
    diagnosis: d.id,
    customerCause: d.cause,
    customerFix: d.fix,
    vendorFault: d.vendorFault,
  };
}

function seedSteps(tenantId: string, check: SeedCheck) {
  let failed = false;
  return STEP_NAMES.map((name, ordinal) => {
    let outcome: StepOutcomeName = failed ? "SKIPPED" : "PASSED";
    let extra = {};
    if (check.failAt?.step === name) {
      outcome = "FAILED";
      failed = true;
      // In the runner's shape (lib/checks/step-results.ts), or the console would show it without its detail.
      extra = {
        ...stepDiagnosis(check.failAt.diagnosis),
        vendorDetail: storedVendorDetail(name, check.failAt.vendorDetail),
      };
    } else if (check.warnAt?.step === name && !failed) {
      outcome = "WARNING";
      extra = stepDiagnosis(check.warnAt.diagnosis);
    }
    const skip =
      outcome === "SKIPPED" && check.failAt
        ? { result: storedStepResult(name, { reason: skipReason(check.failAt.step) }) }
        : {};
    return {
      tenantId,
      ordinal,
      name,
      outcome,
      durationMs: outcome === "SKIPPED" ? 0 : 80 + ordinal * 15,
      ...extra,
      ...skip,
    };
  });
}

async function seedSupportDemo(prisma: PrismaClient): Promise<number> {
  let created = 0;
  for (const t of SUPPORT_DEMO_TENANTS) {
    if (await prisma.tenant.findUnique({ where: { id: t.id }, select: { id: true } })) continue;
    created++;
    await prisma.$transaction(async (tx) => {
      const admin = `${t.name} Global Administrator`;
      const signedIn = minutesAgo(60 * 24 * t.signedInDaysAgo);
      // Consent a few minutes after the first sign-in, the environment a few minutes after that.
      const consentedAt = minutesAgo(60 * 24 * t.signedInDaysAgo - 3);
      const registeredAt = minutesAgo(60 * 24 * t.signedInDaysAgo - 6);
      let invitationId: string | null = null;
      if (t.source === "INVITATION") {
        const invitation = await tx.invitation.create({
          data: {
            tokenHash: `seed-${t.id}`,
            tenantHint: t.domain,
            customerReference: t.customerReference ?? null,
            createdByObjectId: "00000000-0000-4000-8000-000000000000",
            createdByName: "Sam Taylor",
            createdAt: minutesAgo(60 * 24 * (t.signedInDaysAgo + 1)),
            expiresAt: minutesAgo(60 * 24 * (t.signedInDaysAgo - 6)),
            usedAt: signedIn,
            usedByTenantId: t.id,
          },
          select: { id: true },
        });
        invitationId = invitation.id;
      }
      await tx.tenant.create({
        data: {
          id: t.id,
          displayName: t.name,
          displayNameResolvedAt: signedIn,
          primaryDomain: t.domain,
          source: t.source,
          invitationId,
          customerReference: t.customerReference ?? null,
          firstSignInAt: signedIn,
          lastSignInAt: signedIn,
          createdAt: signedIn,
          consentState: t.consented ? "GRANTED" : "NOT_GRANTED",
          consentGrantedAt: t.consented ? consentedAt : null,
          consentVerifiedAt: t.consented ? consentedAt : null,
          consentGrantedByName: t.consented ? admin : null,
        },
      });
      const who = person(t.id, admin);
      await tx.auditEvent.create({
        data: {
          ...who,
          tenantId: t.id,
          action: "tenant.created",
          targetType: "tenant",
          targetId: t.id,
          createdAt: signedIn,
          details: { source: t.source, customerReference: t.customerReference ?? null },
        },
      });
      if (invitationId)
        await tx.auditEvent.create({
          data: {
            ...who,
            tenantId: t.id,
            action: "invitation.used",
            targetType: "invitation",
            targetId: invitationId,
            createdAt: signedIn,
          },
        });
      if (t.consented)
        await tx.auditEvent.create({
          data: {
            ...who,
            tenantId: t.id,
            action: "consent.verified",
            targetType: "tenant",
            targetId: t.id,
            createdAt: consentedAt,
          },
        });
      if (!t.environment) return;
      const url = envUrl(t.environment.org, t.environment.region);
      const environment = await tx.environment.create({
        data: {
          tenantId: t.id,
          url,
          friendlyName: t.environment.friendlyName,
          registeredByName: admin,
          createdAt: registeredAt,
        },
        select: { id: true, createdAt: true },
      });
      await tx.auditEvent.create({
        data: {
          ...who,
          tenantId: t.id,
          action: "environment.registered",
          targetType: "environment",
          targetId: environment.id,
          createdAt: registeredAt,
          details: { url },
        },
      });
      await recordChecks(tx, { id: t.id, admin, consentVerified: t.consented }, environment, t.environment.checks);
    });
  }
  return created;
}

/**
 * Marketplace subscriptions (issue 22): Fabrikam's (professional, 25 seats, active — the same one the emulated
 * marketplace holds, DEMO_IDS.subscriptions.fabrikam), a purchase of Proseware never activated, and Coho Winery's,
 * suspended then cancelled (its tenant is marked on the console). Idempotent: each is created once.
 */
async function seedMarketplaceDemo(prisma: PrismaClient): Promise<number> {
  const system = { actorKind: "SYSTEM" as const, actorName: "Microsoft commercial marketplace" };
  const seeds = [
    {
      id: DEMO_IDS.subscriptions.fabrikam,
      tenantId: DEMO_IDS.tenants.fabrikam,
      email: "diego@fabrikam.onmicrosoft.com",
      name: "Northwind Sync for Fabrikam",
      planId: "professional",
      quantity: 25,
      status: "SUBSCRIBED" as const,
      daysAgo: 3,
      ops: [],
    },
    {
      id: "9105e0a0-0000-4000-8000-00000000a002",
      tenantId: "1a7e5c00-0000-4000-8000-00000000a002",
      email: "admin@proseware.com",
      name: "Northwind Sync for Proseware",
      planId: "starter",
      quantity: null,
      status: "PENDING" as const,
      daysAgo: 3,
      ops: [],
    },
    {
      id: "c0a0e0a0-0000-4000-8000-00000000a003",
      tenantId: "1a7e5c00-0000-4000-8000-00000000a003",
      email: "admin@cohowinery.com",
      name: "Northwind Sync for Coho Winery",
      planId: "enterprise",
      quantity: 40,
      status: "UNSUBSCRIBED" as const,
      daysAgo: 60,
      ops: [
        {
          id: "c0a0e0a0-0000-4000-8000-0000000005a1",
          action: "Suspend",
          outcome: "applied",
          detail: "Microsoft suspended the subscription (payment)",
          daysAgo: 35,
        },
        {
          id: "c0a0e0a0-0000-4000-8000-0000000005a2",
          action: "Unsubscribe",
          outcome: "applied",
          detail: "the subscription was cancelled",
          daysAgo: 5,
        },
      ],
    },
  ];
  let created = 0;
  for (const s of seeds) {
    if (await prisma.marketplaceSubscription.findUnique({ where: { id: s.id }, select: { id: true } })) continue;
    if (!(await prisma.tenant.findUnique({ where: { id: s.tenantId }, select: { id: true } }))) continue;
    created++;
    const resolvedAt = minutesAgo(60 * 24 * s.daysAgo);
    const last = s.ops.at(-1);
    await prisma.$transaction(async (tx) => {
      await tx.marketplaceSubscription.create({
        data: {
          id: s.id,
          tenantId: s.tenantId,
          beneficiaryTenantId: s.tenantId,
          beneficiaryEmail: s.email,
          purchaserTenantId: s.tenantId,
          purchaserEmail: s.email,
          name: s.name,
          publisherId: "northwindtraders",
          offerId: "northwind-sync",
          planId: s.planId,
          quantity: s.quantity,
          status: s.status,
          termUnit: s.planId === "enterprise" ? "P1Y" : "P1M",
          resolvedAt,
          activatedAt: s.status === "PENDING" ? null : new Date(resolvedAt.getTime() + 120_000),
          activatedByName: s.status === "PENDING" ? null : s.email,
          suspendedAt: s.ops.some((o) => o.action === "Suspend") ? minutesAgo(60 * 24 * 35) : null,
          unsubscribedAt: s.status === "UNSUBSCRIBED" && last ? minutesAgo(60 * 24 * last.daysAgo) : null,
          lastOperationAt: last ? minutesAgo(60 * 24 * last.daysAgo) : null,
          createdAt: resolvedAt,
          operations: {
            create: s.ops.map((o) => ({
              id: o.id,
              action: o.action,
              outcome: o.outcome,
              planId: s.planId,
              quantity: s.quantity,
              previousPlanId: s.planId,
              previousQuantity: s.quantity,
              occurredAt: minutesAgo(60 * 24 * o.daysAgo),
              receivedAt: minutesAgo(60 * 24 * o.daysAgo),
              source: "Azure",
              detail: o.detail,
            })),
          },
        },
      });
      // Fabrikam's administrator activated it (the tenant page's "people's actions"); the others arrived from Microsoft.
      const activatedBy =
        s.tenantId === DEMO_IDS.tenants.fabrikam
          ? { actorKind: "CUSTOMER" as const, actorTenantId: s.tenantId, actorName: "Diego Siciliani" }
          : null;
      await tx.auditEvent.create({
        data: activatedBy
          ? {
              ...activatedBy,
              tenantId: s.tenantId,
              action: "subscription.activated",
              targetType: "subscription",
              targetId: s.id,
              createdAt: new Date(resolvedAt.getTime() + 120_000),
              details: { planId: s.planId, quantity: s.quantity },
            }
          : {
              ...system,
              tenantId: s.tenantId,
              action: "subscription.resolved",
              targetType: "subscription",
              targetId: s.id,
              createdAt: resolvedAt,
              details: { planId: s.planId, quantity: s.quantity },
            },
      });
    });
  }
  return created;
}

async function main() {
  const prisma = new PrismaClient({ adapter: createAdapterFactory(target) });
  try {
    const created = (await seed(prisma)) + (await seedSupportDemo(prisma)) + (await seedMarketplaceDemo(prisma));
    console.log(
      created ? `Seeded demo data into ${target.display}.` : `Demo data already present in ${target.display}.`,
    );
  } finally {
    await prisma.$disconnect();
  }
}

main().then(
  () => process.exit(0), // PGlite keeps the event loop alive; exit explicitly (docs/architecture.md "Offline Prisma tooling").
  (error: unknown) => {
    console.error(`db:seed failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    process.exit(1);
  },
);
