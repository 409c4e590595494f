import "server-only";

// Support-staff queries over every tenant: the console's list, its CSV export and a tenant's detail. These are
// deliberately not tenant-scoped (staff see all tenants); only the support console, behind requireStaff(),
// imports this module. Every query selects explicit fields: vendor-side detail never leaks into customer code.
import { AUTOMATIC_TRIGGERS, mergeHistories, PERSON_TRIGGERS } from "@/lib/data/check-history";
import { db } from "@/lib/db/client";
import type { ActorKind, CheckTrigger, Prisma } from "@/lib/generated/prisma/client";
import type { Stage, TenantFilters } from "@/lib/data/support/tenant-filters";
import { GUID } from "@/lib/validators";

const DAY_MS = 24 * 60 * 60 * 1000;

const noResult: Prisma.TenantWhereInput = { OR: [{ latestCheckOutcome: null }, { latestCheckOutcome: "RUNNING" }] };

const connected: Prisma.TenantWhereInput = { disconnectedAt: null };

const stageWhere: Record<Stage, Prisma.TenantWhereInput> = {
  failing: { AND: [connected, { latestCheckOutcome: "FAILED" }] },
  verified: { AND: [connected, { latestCheckOutcome: { in: ["PASSED", "WARNING"] } }] },
  environment: { AND: [connected, noResult, { environments: { some: {} } }] },
  consented: { AND: [connected, noResult, { environments: { none: {} } }, { consentState: "GRANTED" }] },
  "signed-in": { AND: [connected, noResult, { environments: { none: {} } }, { consentState: { not: "GRANTED" } }] },
  // A disconnected tenant has no environment, check or consent left (lib/data/tenants.ts disconnectTenant).
  disconnected: { disconnectedAt: { not: null } },
};

/** Prisma's `contains` is a LIKE '%…%': escape LIKE's own wildcards so that "%" or "_" are only text. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * What a search term matches: a whole tenant id exactly; otherwise part of the name, the domain, the vendor's own
 * customer reference (any case: "sub-42" finds SUB-4242) or an environment URL.
 */
function searchWhere(q: string): Prisma.TenantWhereInput {
  if (GUID.test(q)) return { id: q.toLowerCase() };
  let term = q.toLowerCase();
  // A pasted environment URL (https://org.crm4.dynamics.com/main.aspx…) is searched by its host.
  if (/^https?:\/\//.test(term)) {
    try {
      term = new URL(term).host;
    } catch {
      // not a URL after all: search the text as typed
    }
  }
  // Domains and environment URLs are stored lower-case (lib/data/sessions.ts, lib/dataverse/environment-url.ts),
  // so a plain LIKE on the lower-cased term finds them; it is markedly cheaper than ILIKE on the embedded database.
  return {
    OR: [
      { displayName: { contains: likeLiteral(q), mode: "insensitive" } },
      { customerReference: { contains: likeLiteral(q), mode: "insensitive" } },
      { primaryDomain: { contains: likeLiteral(term) } },
      { environments: { some: { url: { contains: likeLiteral(term) } } } },
    ],
  };
}

export function tenantListWhere(filters: TenantFilters, now = new Date()): Prisma.TenantWhereInput {
  const and: Prisma.TenantWhereInput[] = [];
  if (filters.q) and.push(searchWhere(filters.q));
  if (filters.stage) and.push(stageWhere[filters.stage]);
  if (filters.step) and.push({ latestCheckOutcome: "FAILED", latestFailingStep: filters.step });
  if (filters.health === "broken") and.push({ health: "BROKEN" });
  if (filters.source) and.push({ source: filters.source.toUpperCase() as "APPSOURCE" | "INVITATION" | "DIRECT" });
  if (filters.stale) {
    // Stale: an environment whose latest check is older than N days, or that was never checked.
    const cutoff = new Date(now.getTime() - filters.stale * DAY_MS);
    and.push({ environments: { some: { OR: [{ latestCheckAt: null }, { latestCheckAt: { lt: cutoff } }] } } });
  }
  return and.length ? { AND: and } : {};
}

function tenantListOrder(filters: Pick<TenantFilters, "sort" | "dir">): Prisma.TenantOrderByWithRelationInput[] {
  const sort = filters.dir;
  // The id last makes the order total, so pages neither repeat nor skip rows.
  const tail: Prisma.TenantOrderByWithRelationInput[] = [{ id: "asc" }];
  switch (filters.sort) {
    case "name":
      return [{ displayName: { sort, nulls: "last" } }, ...tail];
    case "domain":
      return [{ primaryDomain: { sort, nulls: "last" } }, ...tail];
    case "created":
      return [{ createdAt: sort }, ...tail];
    case "outcome":
      return [{ latestCheckOutcome: { sort, nulls: "last" } }, { latestCheckAt: { sort: "desc", nulls: "last" } }, ...tail];
    case "checked":
      return [{ latestCheckAt: { sort, nulls: "last" } }, ...tail];
  }
}

const listSelect = {
  id: true,
  displayName: true,
  primaryDomain: true,
  customerReference: true,
  source: true,
  consentState: true,
  latestCheckOutcome: true,
  latestCheckAt: true,
  latestFailingStep: true,
  health: true,
  brokenSince: true,
  createdAt: true,
  disconnectedAt: true,
  disconnectedByName: true,
  _count: { select: { environments: true } },
  environments: { select: { url: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: 3 },
} as const satisfies Prisma.TenantSelect;

export type TenantListRow = Prisma.TenantGetPayload<{ select: typeof listSelect }>;

export type TenantListPage =
  | { ok: true; rows: TenantListRow[]; total: number; page: number; pageCount: number; size: number }
  | { ok: false; reason: "page-out-of-range"; total: number; pageCount: number };

/** One page of the filtered, sorted tenant list. A page past the end is reported, not silently emptied. */
export async function listTenants(filters: TenantFilters, now = new Date()): Promise<TenantListPage> {
  const where = tenantListWhere(filters, now);
  const total = await db().tenant.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / filters.size));
  if (filters.page > pageCount) return { ok: false, reason: "page-out-of-range", total, pageCount };
  const rows = await db().tenant.findMany({
    where,
    orderBy: tenantListOrder(filters),
    skip: (filters.page - 1) * filters.size,
    take: filters.size,
    select: listSelect,
  });
  return { ok: true, rows, total, page: filters.page, pageCount, size: filters.size };
}

const exportSelect = {
  id: true,
  displayName: true,
  primaryDomain: true,
  customerReference: true,
  source: true,
  sourceTag: true,
  consentState: true,
  consentGrantedAt: true,
  latestCheckOutcome: true,
  latestCheckAt: true,
  latestFailingStep: true,
  health: true,
  brokenSince: true,
  firstSignInAt: true,
  lastSignInAt: true,
  disconnectedAt: true,
  environments: { select: { url: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
} as const satisfies Prisma.TenantSelect;

export type TenantExportRow = Prisma.TenantGetPayload<{ select: typeof exportSelect }>;

/** Most rows one export holds; the list filters narrow anything larger. */
export const EXPORT_MAX_ROWS = 50_000;
const EXPORT_BATCH = 1_000;

export async function countTenants(filters: TenantFilters, now = new Date()): Promise<number> {
  return db().tenant.count({ where: tenantListWhere(filters, now) });
}

/** Every row matching the filters (not only one page), in the list's order, in batches. */
export async function* exportTenants(filters: TenantFilters, now = new Date()): AsyncGenerator<TenantExportRow[]> {
  const where = tenantListWhere(filters, now);
  const orderBy = tenantListOrder(filters);
  for (let skip = 0; skip < EXPORT_MAX_ROWS; skip += EXPORT_BATCH) {
    const rows = await db().tenant.findMany({ where, orderBy, skip, take: Math.min(EXPORT_BATCH, EXPORT_MAX_ROWS - skip), select: exportSelect });
    if (rows.length > 0) yield rows;
    if (rows.length < EXPORT_BATCH) return;
  }
}

/** A tenant's current stage (the same precedence as the list's stage filter). */
export function stageOf(t: { latestCheckOutcome: string | null; consentState: string; environmentCount: number; disconnectedAt: Date | null }): Stage {
  if (t.disconnectedAt) return "disconnected";
  if (t.latestCheckOutcome === "FAILED") return "failing";
  if (t.latestCheckOutcome === "PASSED" || t.latestCheckOutcome === "WARNING") return "verified";
  if (t.environmentCount > 0) return "environment";
  return t.consentState === "GRANTED" ? "consented" : "signed-in";
}

/** Everything the tenant page shows, vendor-side detail included. null for an unknown or malformed id. */
export async function getSupportTenant(tenantId: string) {
  if (!GUID.test(tenantId)) return null;
  return db().tenant.findUnique({
    where: { id: tenantId.toLowerCase() },
    select: {
      id: true,
      displayName: true,
      primaryDomain: true,
      source: true,
      sourceTag: true,
      invitationId: true,
      customerReference: true,
      firstSignInAt: true,
      lastSignInAt: true,
      consentState: true,
      consentGrantedAt: true,
      consentGrantedByName: true,
      consentVerifiedAt: true,
      latestCheckOutcome: true,
      latestCheckAt: true,
      latestFailingStep: true,
      disconnectedAt: true,
      disconnectedByName: true,
      environments: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: {
          id: true,
          url: true,
          friendlyName: true,
          cloud: true,
          registeredByName: true,
          createdAt: true,
          latestCheckOutcome: true,
          latestCheckAt: true,
          latestFailingStep: true,
          health: true,
          brokenSince: true,
          healthCause: true,
          healthCauseId: true,
          lastVerifiedAt: true,
        },
      },
    },
  });
}

export type SupportTenant = NonNullable<Awaited<ReturnType<typeof getSupportTenant>>>;

const supportCheckSelect = {
  id: true,
  environmentId: true,
  environment: { select: { url: true, friendlyName: true } },
  trigger: true,
  triggeredByName: true,
  startedAt: true,
  finishedAt: true,
  outcome: true,
  failingStep: true,
  durationMs: true,
  entraRequests: true,
  dataverseRequests: true,
  steps: {
    orderBy: { ordinal: "asc" },
    select: { name: true, outcome: true, startedAt: true, durationMs: true, errorCode: true, diagnosis: true, customerCause: true, customerFix: true, vendorFault: true, vendorDetail: true, result: true },
  },
} as const satisfies Prisma.ConnectionCheckSelect;

/**
 * The tenant's newest checks across its environments, every step with its vendor-side detail: the newest `take`
 * that people ran and the newest `take` scheduled ones (lib/data/check-history.ts), so hourly scheduled runs never
 * hide the customer's own check or a support re-run.
 */
export async function supportCheckHistory(tenantId: string, take = 20) {
  const newest = (triggers: readonly CheckTrigger[]) =>
    db().connectionCheck.findMany({ where: { tenantId, trigger: { in: [...triggers] } }, orderBy: [{ startedAt: "desc" }, { id: "desc" }], take, select: supportCheckSelect });
  const [person, automatic] = await Promise.all([newest(PERSON_TRIGGERS), newest(AUTOMATIC_TRIGGERS)]);
  return mergeHistories(person, automatic);
}

export type SupportCheck = Awaited<ReturnType<typeof supportCheckHistory>>[number];

/**
 * Views of a tenant's audit trail. On a monitored tenant scheduled re-verification writes two events an hour
 * (check.started, check.finished), which would bury what people did: the trail shows people's actions (the
 * customer's and support staff's) unless asked for the portal's own, automatic events, or all of them.
 */
export const AUDIT_VIEWS = ["people", "automatic", "all"] as const;
export type AuditView = (typeof AUDIT_VIEWS)[number];

const auditActors: Record<AuditView, ActorKind[] | null> = { people: ["CUSTOMER", "STAFF"], automatic: ["SYSTEM"], all: null };

/** The view named in the address (`?events=`); anything else, or none, is people's actions. */
export function auditViewOf(value: string | string[] | undefined): AuditView {
  return typeof value === "string" && (AUDIT_VIEWS as readonly string[]).includes(value) ? (value as AuditView) : "people";
}

/** The tenant's audit trail in one view, newest first, with how many events each view holds. Read-only: nothing
 *  in the console writes or edits audit rows. */
export async function supportAuditTrail(tenantId: string, view: AuditView = "people", take = 100) {
  const actors = auditActors[view];
  const [events, byActor] = await Promise.all([
    db().auditEvent.findMany({
      where: { tenantId, ...(actors ? { actorKind: { in: actors } } : {}) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
      select: { id: true, createdAt: true, actorKind: true, actorName: true, action: true, targetType: true, targetId: true, details: true },
    }),
    db().auditEvent.groupBy({ by: ["actorKind"], where: { tenantId }, _count: { _all: true } }),
  ]);
  const countOf = (kinds: ActorKind[]) => byActor.filter((g) => kinds.includes(g.actorKind)).reduce((n, g) => n + g._count._all, 0);
  return { events, counts: { people: countOf(["CUSTOMER", "STAFF"]), automatic: countOf(["SYSTEM"]), all: countOf(["CUSTOMER", "STAFF", "SYSTEM"]) } satisfies Record<AuditView, number> };
}

export type SupportAuditEvent = Awaited<ReturnType<typeof supportAuditTrail>>["events"][number];

/** One environment of one tenant, for a staff re-run. */
export async function getSupportEnvironment(tenantId: string, environmentId: string) {
  if (!GUID.test(tenantId) || !GUID.test(environmentId)) return null;
  return db().environment.findFirst({ where: { id: environmentId, tenantId: tenantId.toLowerCase() }, select: { id: true, url: true, tenantId: true } });
}

/** A check's progress with vendor-side detail, for the console's re-run (staff may follow any tenant's check). */
export async function getSupportCheck(checkId: string) {
  if (!GUID.test(checkId)) return null;
  return db().connectionCheck.findUnique({
    where: { id: checkId },
    select: {
      id: true,
      tenantId: true,
      environmentId: true,
      outcome: true,
      startedAt: true,
      finishedAt: true,
      durationMs: true,
      failingStep: true,
      currentStep: true,
      waitingUntil: true,
      steps: {
        orderBy: { ordinal: "asc" },
        select: { name: true, outcome: true, durationMs: true, errorCode: true, diagnosis: true, customerCause: true, customerFix: true, vendorFault: true, vendorDetail: true, result: true },
      },
    },
  });
}
