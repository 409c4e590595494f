import "server-only";

// Support-staff queries over every tenant: the console's list, its CSV export and a tenant's detail. These are
// deliberately not tenant-scoped (staff see all tenants); only the support console, behind requireStaff(),
// imports this module. Every query selects explicit fields: vendor-side detail never leaks into customer code.
import { readSupportStep } from "@/lib/checks/step-results";
import { AUTOMATIC_TRIGGERS, mergeHistories, PERSON_TRIGGERS } from "@/lib/data/check-history";
import { environmentSelect } from "@/lib/data/environments";
import { db } from "@/lib/db/client";
import {
  Prisma,
  type ActorKind,
  type CheckOutcome,
  type CheckTrigger,
  type ConsentState,
  type HealthState,
  type SubscriptionStatus,
  type TenantSource,
} from "@/lib/generated/prisma/client";
import type { Stage, TenantFilters } from "@/lib/data/support/tenant-filters";
import { GUID } from "@/lib/validators";

const DAY_MS = 24 * 60 * 60 * 1000;

// The list, its counts and the export are plain SQL rather than Prisma's query builder, for what 100,000 tenants
// need (scripts/bench/console-scale.ts): counts from an index alone, the search as one BitmapOr of trigram indexes,
// a page's ids from its sort's index (however deep the page, from the nearer end of the list) and then only that
// page's rows, and the export in keyset batches. Every query still names its fields.
const connected = Prisma.sql`t."disconnectedAt" IS NULL`;
const noResult = Prisma.sql`(t."latestCheckOutcome" IS NULL OR t."latestCheckOutcome" = 'RUNNING')`;
// Kept by the database (prisma/schema.prisma Tenant.environmentCount), so no stage looks into the environments.
const hasEnvironment = Prisma.sql`t."environmentCount" > 0`;

// A disconnected tenant has no environment, check or consent left (lib/data/tenants.ts disconnectTenant clears
// them), so a check result alone says the tenant is connected: those stages are read from one index.
const stageWhere: Record<Stage, Prisma.Sql> = {
  failing: Prisma.sql`t."latestCheckOutcome" = 'FAILED'`,
  verified: Prisma.sql`t."latestCheckOutcome" IN ('PASSED', 'WARNING')`,
  environment: Prisma.sql`${connected} AND ${noResult} AND ${hasEnvironment}`,
  consented: Prisma.sql`${connected} AND ${noResult} AND NOT ${hasEnvironment} AND t."consentState" = 'GRANTED'`,
  "signed-in": Prisma.sql`${connected} AND ${noResult} AND NOT ${hasEnvironment} AND t."consentState" <> 'GRANTED'`,
  disconnected: Prisma.sql`t."disconnectedAt" IS NOT NULL`,
};

/** LIKE's own wildcards escaped, so that "%" or "_" are only text; then "contains". */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * What a search term matches: a whole tenant id exactly; otherwise part of the name, the domain, the vendor's own
 * customer reference (any case: "sub-42" finds SUB-4242) or an environment URL. Each is one trigram (pg_trgm GIN)
 * index lookup, so a part of a word is found without reading every tenant.
 */
function searchWhere(q: string): Prisma.Sql {
  if (GUID.test(q)) return Prisma.sql`t."id" = ${q.toLowerCase()}::uuid`;
  let term = q.toLowerCase();
  let origin: string | null = null;
  // A pasted environment URL (https://org.crm4.dynamics.com/main.aspx…) is searched by its host: the environment
  // whose origin it is (URLs are stored as origins: one unique-index lookup, exact, where a trigram lookup of a
  // whole host reads the long posting lists of "crm", "dyn", "com"…), and the domains that contain it.
  if (/^https?:\/\//.test(term)) {
    try {
      term = new URL(term).host;
      origin = `https://${term}`;
    } catch {
      // not a URL after all: search the text as typed
    }
  }
  // Domains and environment URLs are stored lower-case (lib/data/sessions.ts, lib/dataverse/environment-url.ts),
  // so a plain LIKE on the lower-cased term finds them.
  const text = containing(q);
  const lower = containing(term);
  const url = origin ? Prisma.sql`"url" = ${origin}` : Prisma.sql`"url" LIKE ${lower}`;
  // One OR of index conditions, so that PostgreSQL reads the matching tenants once (a BitmapOr of the trigram
  // indexes and of the primary key for the environments' tenants, gathered first), never every tenant.
  return Prisma.sql`t."displayName" ILIKE ${text} OR t."customerReference" ILIKE ${text} OR t."primaryDomain" LIKE ${lower}
    OR t."id" = ANY (ARRAY(SELECT "tenantId" FROM "Environment" WHERE ${url}))`;
}

/** Whether any filter narrows the list. */
const isFiltered = (filters: TenantFilters) =>
  Boolean(filters.q || filters.stage || filters.step || filters.health || filters.source || filters.stale);

/** The filters as one SQL condition on the tenant `t`. */
function tenantListWhere(filters: TenantFilters, now: Date): Prisma.Sql {
  const and: Prisma.Sql[] = [];
  if (filters.q) and.push(searchWhere(filters.q));
  if (filters.stage) and.push(stageWhere[filters.stage]);
  if (filters.step) and.push(Prisma.sql`t."latestCheckOutcome" = 'FAILED' AND t."latestFailingStep" = ${filters.step}`);
  if (filters.health === "broken") and.push(Prisma.sql`t."health" = 'BROKEN'`);
  if (filters.source) and.push(Prisma.sql`t."source" = ${filters.source.toUpperCase()}::"TenantSource"`);
  if (filters.stale) {
    // Stale: an environment whose latest check is older than N days, or that was never checked. The tenant's oldest
    // latest check is kept by the database (prisma/schema.prisma Tenant.oldestCheckAt; null: one never checked), so
    // the filter is one index range, not a look into every tenant's environments.
    const cutoff = new Date(now.getTime() - filters.stale * DAY_MS);
    and.push(Prisma.sql`${hasEnvironment} AND (t."oldestCheckAt" IS NULL OR t."oldestCheckAt" < ${cutoff})`);
  }
  return and.length
    ? Prisma.join(
        and.map((c) => Prisma.sql`(${c})`),
        " AND ",
      )
    : Prisma.sql`TRUE`;
}

/**
 * Each sort's key. Rows with a key come first, by the key in the chosen direction (then the id, the same way);
 * rows without one (no name, never checked) last, by id. Each key has one index, ending with the id, that serves
 * both directions (prisma/schema.prisma). The outcome's key is the outcome then the time of the latest check
 * (newest first among the worst, when descending); a tenant has both or neither (lib/checks/finish.ts).
 */
const SORT_KEYS: Record<TenantFilters["sort"], { columns: string[]; cast: string[] }> = {
  name: { columns: ["displayName"], cast: ["text"] },
  domain: { columns: ["primaryDomain"], cast: ["text"] },
  created: { columns: ["createdAt"], cast: ["timestamp(3)"] },
  checked: { columns: ["latestCheckAt"], cast: ["timestamp(3)"] },
  outcome: { columns: ["latestCheckOutcome", "latestCheckAt"], cast: ['"CheckOutcome"', "timestamp(3)"] },
};

/** A place in one part of the list: after the row with this id and these key values. */
type Cursor = { id: string; keys: unknown[] };

type Slice = {
  /** The rows with a key, or those without. */
  keyed: boolean;
  take: number;
  /** From this place in the part (offset), or after this row (keyset: the export). */
  from: { offset: number } | { after: Cursor };
  /** Backwards from the part's end. */
  reverse?: boolean;
  /** Read every matching row first, then sort them (see matchesFirst). */
  matchesFirst?: boolean;
};

/**
 * One slice of a part of the list in the list's order (or backwards): `columns` of its rows. Rows without a key are
 * ordered by the key's (null) columns and then the id, which is the id's order, and also the order of the key's index.
 */
function slice(
  columns: Prisma.Sql,
  where: Prisma.Sql,
  filters: Pick<TenantFilters, "sort" | "dir">,
  { keyed, take, from, reverse = false, matchesFirst = false }: Slice,
) {
  const key = SORT_KEYS[filters.sort];
  const cols = key.columns.map((c) => Prisma.raw(`t."${c}"`));
  const ascending = keyed ? (filters.dir === "asc") !== reverse : !reverse;
  const dir = Prisma.raw(ascending ? "ASC" : "DESC");
  const keys = Prisma.join(
    cols.map((c, i) => Prisma.sql`${c} AS ${Prisma.raw(`"k${i}"`)}`),
    ", ",
  );
  let seek = Prisma.sql`TRUE`;
  if ("after" in from && keyed) {
    const values = from.after.keys.map((v, i) => Prisma.sql`${v}::${Prisma.raw(key.cast[i]!)}`);
    seek = Prisma.sql`(${Prisma.join(cols, ", ")}, t."id") ${Prisma.raw(ascending ? ">" : "<")} (${Prisma.join(values, ", ")}, ${from.after.id}::uuid)`;
  } else if ("after" in from) {
    seek = Prisma.sql`t."id" ${Prisma.raw(ascending ? ">" : "<")} ${from.after.id}::uuid`;
  }
  const part = keyed ? Prisma.sql`${cols[0]!} IS NOT NULL` : Prisma.sql`${cols[0]!} IS NULL`;
  const order = Prisma.sql`${Prisma.join(
    cols.map((c) => Prisma.sql`${c} ${dir}`),
    ", ",
  )}, t."id" ${dir}`;
  const limits = "offset" in from ? Prisma.sql`LIMIT ${take} OFFSET ${from.offset}` : Prisma.sql`LIMIT ${take}`;
  const rows = Prisma.sql`SELECT * FROM "Tenant" t WHERE (${where}) AND ${part} AND ${seek}`;
  return matchesFirst
    ? Prisma.sql`WITH t AS MATERIALIZED (${rows}) SELECT ${columns}, ${keys} FROM t ORDER BY ${order} ${limits}`
    : Prisma.sql`SELECT ${columns}, ${keys} FROM (${rows}) t ORDER BY ${order} ${limits}`;
}

/**
 * Whether to read every matching row first and sort them, rather than walk the sort's index until `reach` matches
 * are found: PostgreSQL walks the index when it expects the matches to be many and spread, and a rare match (a
 * search for one tenant) then costs a walk through most of the list. Walking reads about reach × rows / total
 * tenants; reading the matches first reads `total` of them.
 */
const matchesFirst = (filtered: boolean, reach: number, total: number, rows: number) =>
  filtered && total > 0 && reach * rows > total * total;

/** The rows' fields that the list and the export share, enums as text. */
const ROW_COLUMNS = Prisma.sql`t."id"::text AS "id", t."displayName", t."primaryDomain", t."customerReference", t."source"::text AS "source",
  t."consentState"::text AS "consentState", t."latestCheckOutcome"::text AS "latestCheckOutcome", t."latestCheckAt", t."latestFailingStep",
  t."health"::text AS "health", t."brokenSince", t."disconnectedAt"`;

type RowFields = {
  id: string;
  displayName: string | null;
  primaryDomain: string | null;
  customerReference: string | null;
  source: TenantSource;
  consentState: ConsentState;
  latestCheckOutcome: CheckOutcome | null;
  latestCheckAt: Date | null;
  latestFailingStep: string | null;
  health: HealthState | null;
  brokenSince: Date | null;
  disconnectedAt: Date | null;
};

/** A row of the list: the tenant, how many environments it has, and the first three of them. */
export type TenantListRow = RowFields & {
  createdAt: Date;
  disconnectedByName: string | null;
  _count: { environments: number };
  environments: Array<{ url: string }>;
};

export type TenantListPage =
  | { ok: true; rows: TenantListRow[]; total: number; page: number; pageCount: number; size: number }
  | { ok: false; reason: "page-out-of-range"; total: number; pageCount: number };

/** One page of the filtered, sorted tenant list. A page past the end is reported, not silently emptied. */
export async function listTenants(filters: TenantFilters, now = new Date()): Promise<TenantListPage> {
  const where = tenantListWhere(filters, now);
  const key = Prisma.raw(`t."${SORT_KEYS[filters.sort].columns[0]}"`);
  // The matching rows, and those without a key: knowing where the keyed part ends, a page never looks for keyed
  // rows where there are none. Each count comes from its own index where one has what it needs (the stage index, the
  // key's nulls); a search reads its matches' rows anyway, so one pass counts both. And the planner's estimate of
  // all tenants, for matchesFirst. One round trip.
  const filtered = isFiltered(filters);
  const counted = filters.q
    ? Prisma.sql`SELECT count(*)::int AS total, (count(*) FILTER (WHERE ${key} IS NULL))::int AS unkeyed FROM "Tenant" t WHERE ${where}`
    : Prisma.sql`SELECT (SELECT count(*)::int FROM "Tenant" t WHERE ${where}) AS total, (SELECT count(*)::int FROM "Tenant" t WHERE (${where}) AND ${key} IS NULL) AS unkeyed`;
  const [counts] = await db().$queryRaw<Array<{ total: number; unkeyed: number; tenants: number }>>`SELECT c.*,
    (SELECT greatest(reltuples, 0)::int FROM pg_class WHERE oid = '"Tenant"'::regclass) AS tenants FROM (${counted}) c`;
  const total = counts?.total ?? 0;
  const keyed = total - (counts?.unkeyed ?? 0);
  const tenants = Math.max(total, counts?.tenants ?? 0);
  const pageCount = Math.max(1, Math.ceil(total / filters.size));
  if (filters.page > pageCount) return { ok: false, reason: "page-out-of-range", total, pageCount };
  const offset = (filters.page - 1) * filters.size;
  const size = Math.min(filters.size, total - offset);
  // The page's ids from the key's index alone (no tenant row is read to skip the rows before it), counted from the
  // nearer end of the list: the last page is as quick as the first. Forwards, the rows with a key come first, then
  // those without; backwards, the other way round. Each part is read only when the page reaches into it.
  const fromEnd = offset + size / 2 > total / 2;
  const [first, second] = fromEnd ? [total - keyed, keyed] : [keyed, total - keyed];
  const start = fromEnd ? total - offset - size : offset;
  const id = Prisma.sql`t."id"::text AS "id"`;
  const read = async (keyedPart: boolean, take: number, at: number, inPart: number) =>
    (
      await db().$queryRaw<Array<{ id: string }>>(
        slice(id, where, filters, {
          keyed: keyedPart,
          take,
          from: { offset: at },
          reverse: fromEnd,
          matchesFirst: matchesFirst(filtered, at + take, inPart, tenants),
        }),
      )
    ).map((r) => r.id);
  const ids: string[] = [];
  if (start < first) ids.push(...(await read(!fromEnd, size, start, first)));
  if (ids.length < size && start + size > first && second > 0)
    ids.push(...(await read(fromEnd, size - ids.length, Math.max(0, start - first), second)));
  if (fromEnd) ids.reverse();
  const found = await db().$queryRaw<
    Array<
      RowFields & {
        createdAt: Date;
        disconnectedByName: string | null;
        environmentCount: number;
        environmentUrls: string[];
      }
    >
  >`
    SELECT ${ROW_COLUMNS}, t."createdAt", t."disconnectedByName", t."environmentCount",
      ARRAY(SELECT e."url" FROM "Environment" e WHERE e."tenantId" = t."id" ORDER BY e."createdAt", e."id" LIMIT 3) AS "environmentUrls"
    FROM "Tenant" t WHERE t."id" = ANY (${ids}::uuid[])`;
  const byId = new Map(
    found.map(({ environmentCount, environmentUrls, ...t }) => [
      t.id,
      { ...t, _count: { environments: environmentCount }, environments: environmentUrls.map((url) => ({ url })) },
    ]),
  );
  const rows = ids.flatMap((i) => byId.get(i) ?? []);
  return { ok: true, rows, total, page: filters.page, pageCount, size: filters.size };
}

export type TenantExportRow = RowFields & {
  sourceTag: string | null;
  consentGrantedAt: Date | null;
  firstSignInAt: Date;
  lastSignInAt: Date;
  environments: Array<{ url: string }>;
  subscriptions: Array<{
    id: string;
    planId: string;
    quantity: number | null;
    status: SubscriptionStatus;
    resolvedAt: Date;
  }>;
};

type ExportFound = Omit<TenantExportRow, "environments" | "subscriptions"> & {
  environmentUrls: string[];
  subscriptions: Array<Omit<TenantExportRow["subscriptions"][number], "resolvedAt"> & { resolvedAt: string }>;
  k0: unknown;
  k1?: unknown;
};

/** Most rows one export holds; the list filters narrow anything larger. Memory does not grow with it. */
export const EXPORT_MAX_ROWS = 1_000_000;
const EXPORT_BATCH = 1_000;

export async function countTenants(filters: TenantFilters, now = new Date()): Promise<number> {
  const [row] = await db().$queryRaw<
    Array<{ n: number }>
  >`SELECT count(*)::int AS n FROM "Tenant" t WHERE ${tenantListWhere(filters, now)}`;
  return row?.n ?? 0;
}

/**
 * Every row matching the filters (not only one page), in the list's order, in batches: each read after the last
 * row of the batch before (keyset) in one query, rows and environments together, so a batch costs the same however
 * deep the export is and only one batch is held at a time.
 */
export async function* exportTenants(
  filters: TenantFilters,
  now = new Date(),
  { batch = EXPORT_BATCH } = {},
): AsyncGenerator<TenantExportRow[]> {
  const where = tenantListWhere(filters, now);
  const [counts] = await db().$queryRaw<Array<{ total: number; tenants: number }>>`SELECT
    (SELECT count(*)::int FROM "Tenant" t WHERE ${where}) AS total,
    (SELECT greatest(reltuples, 0)::int FROM pg_class WHERE oid = '"Tenant"'::regclass) AS tenants`;
  const total = counts?.total ?? 0;
  const tenants = Math.max(total, counts?.tenants ?? 0);
  const filtered = isFiltered(filters);
  const columns = Prisma.sql`${ROW_COLUMNS}, t."sourceTag", t."consentGrantedAt", t."firstSignInAt", t."lastSignInAt",
    ARRAY(SELECT e."url" FROM "Environment" e WHERE e."tenantId" = t."id" ORDER BY e."createdAt", e."id") AS "environmentUrls",
    COALESCE((SELECT json_agg(json_build_object('id', s."id", 'planId', s."planId", 'quantity', s."quantity", 'status', s."status", 'resolvedAt', s."resolvedAt" AT TIME ZONE 'UTC'))
      FROM "MarketplaceSubscription" s WHERE s."tenantId" = t."id"), '[]'::json) AS "subscriptions"`;
  const width = SORT_KEYS[filters.sort].columns.length;
  let left = EXPORT_MAX_ROWS;
  for (const keyed of [true, false]) {
    let after: Cursor | null = null;
    while (left > 0) {
      const take = Math.min(batch, left);
      const found: ExportFound[] = await db().$queryRaw<ExportFound[]>(
        slice(columns, where, filters, {
          keyed,
          take,
          from: after ? { after } : { offset: 0 },
          matchesFirst: matchesFirst(filtered, take, total, tenants),
        }),
      );
      if (found.length === 0) break;
      left -= found.length;
      yield found.map(({ environmentUrls, subscriptions, k0: _k0, k1: _k1, ...t }) => ({
        ...t,
        environments: environmentUrls.map((url) => ({ url })),
        subscriptions: subscriptions.map((sub) => ({ ...sub, resolvedAt: new Date(sub.resolvedAt) })),
      }));
      if (found.length < take) break;
      const last = found[found.length - 1]!;
      after = { id: last.id, keys: [last.k0, last.k1].slice(0, width) };
    }
  }
}

/** A tenant's current stage (the same precedence as the list's stage filter). */
export function stageOf(t: {
  latestCheckOutcome: string | null;
  consentState: string;
  environmentCount: number;
  disconnectedAt: Date | null;
}): Stage {
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
        select: environmentSelect,
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
    select: {
      name: true,
      outcome: true,
      startedAt: true,
      durationMs: true,
      errorCode: true,
      diagnosis: true,
      customerCause: true,
      customerFix: true,
      vendorFault: true,
      vendorDetail: true,
      result: true,
    },
  },
} as const satisfies Prisma.ConnectionCheckSelect;

/**
 * The tenant's newest checks across its environments, every step with its vendor-side detail: the newest `take`
 * that people ran and the newest `take` scheduled ones (lib/data/check-history.ts), so hourly scheduled runs never
 * hide the customer's own check or a support re-run.
 */
export async function supportCheckHistory(tenantId: string, take = 20) {
  const newest = (triggers: readonly CheckTrigger[]) =>
    db().connectionCheck.findMany({
      where: { tenantId, trigger: { in: [...triggers] } },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take,
      select: supportCheckSelect,
    });
  const [person, automatic] = await Promise.all([newest(PERSON_TRIGGERS), newest(AUTOMATIC_TRIGGERS)]);
  return mergeHistories(person, automatic).map((check) => ({ ...check, steps: check.steps.map(readSupportStep) }));
}

export type SupportCheck = Awaited<ReturnType<typeof supportCheckHistory>>[number];

/**
 * Views of a tenant's audit trail. On a monitored tenant scheduled re-verification writes two events an hour
 * (check.started, check.finished), which would bury what people did: the trail shows people's actions (the
 * customer's and support staff's) unless asked for the portal's own, automatic events, or all of them.
 */
export const AUDIT_VIEWS = ["people", "automatic", "all"] as const;
export type AuditView = (typeof AUDIT_VIEWS)[number];

const auditActors: Record<AuditView, ActorKind[] | null> = {
  people: ["CUSTOMER", "STAFF"],
  automatic: ["SYSTEM"],
  all: null,
};

/** The view named in the address (`?events=`); anything else, or none, is people's actions. */
export function auditViewOf(value: string | string[] | undefined): AuditView {
  return typeof value === "string" && (AUDIT_VIEWS as readonly string[]).includes(value)
    ? (value as AuditView)
    : "people";
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
      select: {
        id: true,
        createdAt: true,
        actorKind: true,
        actorName: true,
        action: true,
        targetType: true,
        targetId: true,
        details: true,
      },
    }),
    db().auditEvent.groupBy({ by: ["actorKind"], where: { tenantId }, _count: { _all: true } }),
  ]);
  const countOf = (kinds: ActorKind[]) =>
    byActor.filter((g) => kinds.includes(g.actorKind)).reduce((n, g) => n + g._count._all, 0);
  return {
    events,
    counts: {
      people: countOf(["CUSTOMER", "STAFF"]),
      automatic: countOf(["SYSTEM"]),
      all: countOf(["CUSTOMER", "STAFF", "SYSTEM"]),
    } satisfies Record<AuditView, number>,
  };
}

export type SupportAuditEvent = Awaited<ReturnType<typeof supportAuditTrail>>["events"][number];

/** One environment of one tenant, for a staff re-run. */
export async function getSupportEnvironment(tenantId: string, environmentId: string) {
  if (!GUID.test(tenantId) || !GUID.test(environmentId)) return null;
  return db().environment.findFirst({
    where: { id: environmentId, tenantId: tenantId.toLowerCase() },
    select: { id: true, url: true, tenantId: true },
  });
}

/** A check's progress with vendor-side detail, for the console's re-run (staff may follow any tenant's check). */
export async function getSupportCheck(checkId: string) {
  if (!GUID.test(checkId)) return null;
  const check = await db().connectionCheck.findUnique({
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
        select: {
          name: true,
          outcome: true,
          durationMs: true,
          errorCode: true,
          diagnosis: true,
          customerCause: true,
          customerFix: true,
          vendorFault: true,
          vendorDetail: true,
          result: true,
        },
      },
    },
  });
  return check && { ...check, steps: check.steps.map(readSupportStep) };
}
