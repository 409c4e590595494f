// The support console's tenant list query (lib/data/support/tenants.ts) on a real database: every filter,
// the search, each sort, pagination without gaps or repeats, the export, the funnel and the invitations.
import { beforeAll, describe, expect, it } from "vitest";
import type { TenantFilters } from "@/lib/data/support/tenant-filters";

const NOW = new Date();
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const daysAgo = (d: number) => hoursAgo(d * 24);

// Seven tenants, one per situation the filters tell apart. Ids sort in the order of the letters.
const T = {
  a: "a0000000-0000-4000-8000-00000000000a", // signed in, no consent
  b: "b0000000-0000-4000-8000-00000000000b", // consented, no environment
  c: "c0000000-0000-4000-8000-00000000000c", // environment, never checked
  d: "d0000000-0000-4000-8000-00000000000d", // passing, checked an hour ago
  e: "e0000000-0000-4000-8000-00000000000e", // failing at roles, 2 hours ago
  f: "f0000000-0000-4000-8000-00000000000f", // failing at token, 10 days ago
  g: "f1000000-0000-4000-8000-000000000001", // warning, 40 days ago
};
const BULK = 60;

async function filters(query: Record<string, string> = {}): Promise<TenantFilters> {
  const { parseTenantFilters } = await import("@/lib/data/support/tenant-filters");
  const parsed = parseTenantFilters(query);
  if (!parsed.ok) throw new Error(parsed.errors.join(" "));
  return parsed.filters;
}

async function ids(query: Record<string, string> = {}): Promise<string[]> {
  const { listTenants } = await import("@/lib/data/support/tenants");
  const page = await listTenants(await filters({ size: "100", ...query }), NOW);
  if (!page.ok) throw new Error("page out of range");
  return page.rows.map((r) => r.id);
}

const core = (list: string[]) => list.filter((id) => Object.values(T).includes(id));

export function supportTenantListSuite() {
  describe("support console: tenant list query", () => {
    beforeAll(async () => {
      const { db } = await import("@/lib/db/client");
      type Spec = {
        id: string;
        name: string | null;
        domain: string | null;
        source?: "APPSOURCE" | "INVITATION" | "DIRECT";
        consent?: "GRANTED" | "NOT_GRANTED";
        env?: string;
        outcome?: "PASSED" | "WARNING" | "FAILED";
        at?: Date;
        step?: string;
        reference?: string;
        health?: "HEALTHY" | "BROKEN";
        created: Date;
      };
      const specs: Spec[] = [
        { id: T.a, name: "Alpha", domain: "alpha.example.com", created: daysAgo(7) },
        {
          id: T.b,
          name: "Bravo",
          domain: "bravo.example.com",
          source: "APPSOURCE",
          consent: "GRANTED",
          created: daysAgo(6),
        },
        {
          id: T.c,
          name: "Charlie",
          domain: "charlie.example.com",
          source: "INVITATION",
          consent: "GRANTED",
          env: "https://c-org.crm4.dynamics.com",
          created: daysAgo(5),
        },
        {
          id: T.d,
          name: "Delta",
          domain: "delta.example.com",
          consent: "GRANTED",
          env: "https://d-org.crm.dynamics.com",
          outcome: "PASSED",
          at: hoursAgo(1),
          reference: "SUB-4242",
          health: "HEALTHY",
          created: daysAgo(4),
        },
        {
          id: T.e,
          name: "Echo",
          domain: "echo.example.com",
          consent: "GRANTED",
          env: "https://e-org.crm.dynamics.com",
          outcome: "FAILED",
          at: hoursAgo(2),
          step: "roles",
          reference: "sub-9000/eu",
          health: "BROKEN",
          created: daysAgo(3),
        },
        {
          id: T.f,
          name: null,
          domain: "foxtrot.example.com",
          consent: "GRANTED",
          env: "https://f-org.crm11.dynamics.com",
          outcome: "FAILED",
          at: daysAgo(10),
          step: "token",
          created: daysAgo(2),
        },
        {
          id: T.g,
          name: "Golf",
          domain: null,
          consent: "GRANTED",
          env: "https://g-org.crm.dynamics.com",
          outcome: "WARNING",
          at: daysAgo(40),
          created: daysAgo(1),
        },
      ];
      for (const s of specs) {
        await db().tenant.create({
          data: {
            id: s.id,
            displayName: s.name,
            primaryDomain: s.domain,
            source: s.source ?? "DIRECT",
            consentState: s.consent ?? "NOT_GRANTED",
            createdAt: s.created,
            latestCheckOutcome: s.outcome ?? null,
            latestCheckAt: s.at ?? null,
            latestFailingStep: s.step ?? null,
            customerReference: s.reference ?? null,
            health: s.health ?? null,
            brokenSince: s.health === "BROKEN" ? s.at : null,
          },
        });
        if (!s.env) continue;
        const env = await db().environment.create({
          data: {
            tenantId: s.id,
            url: s.env,
            latestCheckOutcome: s.outcome ?? null,
            latestCheckAt: s.at ?? null,
            latestFailingStep: s.step ?? null,
          },
          select: { id: true },
        });
        if (s.outcome && s.at) {
          await db().connectionCheck.create({
            data: {
              tenantId: s.id,
              environmentId: env.id,
              trigger: "CUSTOMER",
              startedAt: s.at,
              finishedAt: s.at,
              outcome: s.outcome,
              failingStep: s.step ?? null,
            },
          });
        }
      }
      // Signed-in-only tenants for pagination, created long ago so they never mix with the seven above.
      await db().tenant.createMany({
        data: Array.from({ length: BULK }, (_, i) => ({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
          displayName: `Bulk ${String(i).padStart(3, "0")}`,
          primaryDomain: `bulk${i}.example.org`,
          createdAt: daysAgo(100 + i),
        })),
      });
      // Statistics as autovacuum would gather them: the list reads a rare match's rows first and walks the sort's
      // index for common ones (lib/data/support/tenants.ts matchesFirst), so both ways are tested, deterministically.
      await db().$executeRaw`ANALYZE "Tenant"`;
    });

    it("lists everyone by default: newest check first, never-checked last (by id)", async () => {
      const { listTenants } = await import("@/lib/data/support/tenants");
      const page = await listTenants(await filters({ size: "100" }), NOW);
      expect(page.ok && page.total).toBe(7 + BULK);
      expect(core(await ids())).toEqual([T.d, T.e, T.f, T.g, T.a, T.b, T.c]);
      expect(core(await ids({ dir: "asc" }))).toEqual([T.g, T.f, T.e, T.d, T.a, T.b, T.c]);
    });

    it("filters by stage, failing step, source and stale checks", async () => {
      expect(await ids({ stage: "signed-in" })).toEqual(expect.arrayContaining([T.a]));
      expect(core(await ids({ stage: "signed-in" }))).toEqual([T.a]);
      expect((await ids({ stage: "signed-in" })).length).toBe(1 + BULK);
      expect(await ids({ stage: "consented" })).toEqual([T.b]);
      expect(await ids({ stage: "environment" })).toEqual([T.c]);
      expect(await ids({ stage: "verified" })).toEqual([T.d, T.g]);
      expect(await ids({ stage: "failing" })).toEqual([T.e, T.f]);
      expect(await ids({ step: "roles" })).toEqual([T.e]);
      expect(await ids({ step: "token" })).toEqual([T.f]);
      expect(await ids({ step: "privileges" })).toEqual([]);
      expect(await ids({ source: "invitation" })).toEqual([T.c]);
      expect(await ids({ source: "appsource" })).toEqual([T.b]);
      // Stale: an environment whose latest check is older than N days, or never ran.
      expect(await ids({ stale: "7", sort: "name", dir: "asc" })).toEqual([T.c, T.g, T.f]);
      expect(await ids({ stale: "30" })).toEqual([T.g, T.c]);
      expect(await ids({ stale: "7", stage: "failing" })).toEqual([T.f]);
    });

    it("searches the tenant id, the name, the domain and environment URLs", async () => {
      expect(await ids({ q: T.e })).toEqual([T.e]);
      expect(await ids({ q: T.e.toUpperCase() })).toEqual([T.e]);
      expect(await ids({ q: "CHARLIE" })).toEqual([T.c]);
      expect(await ids({ q: "ulk 04" })).toHaveLength(10);
      expect(await ids({ q: "foxtrot.example" })).toEqual([T.f]);
      expect(await ids({ q: "c-org.crm4" })).toEqual([T.c]);
      expect(await ids({ q: "https://E-ORG.crm.dynamics.com/main.aspx?appid=1" })).toEqual([T.e]);
      expect(await ids({ q: "crm11" })).toEqual([T.f]);
      expect(await ids({ q: "example.com", stage: "verified" })).toEqual([T.d]);
      expect(await ids({ q: "no such thing" })).toEqual([]);
      // Text that means something to SQL is only text.
      expect(await ids({ q: "%" })).toEqual([]);
      expect(await ids({ q: "_" })).toEqual([]);
      expect(await ids({ q: '\'; drop table "Tenant"; --' })).toEqual([]);
    });

    it("searches the vendor's own customer reference, whole or in part, in any case", async () => {
      expect(await ids({ q: "SUB-4242" })).toEqual([T.d]);
      expect(await ids({ q: "sub-4242" })).toEqual([T.d]);
      expect(await ids({ q: "4242" })).toEqual([T.d]);
      expect(await ids({ q: "SUB-9000/EU" })).toEqual([T.e]);
      expect(await ids({ q: "sub-" })).toEqual([T.d, T.e]);
      expect(await ids({ q: "SUB-4243" })).toEqual([]);
    });

    it("sorts by name, domain, creation and outcome with empty values last", async () => {
      expect(core(await ids({ sort: "name", dir: "asc" }))).toEqual([T.a, T.b, T.c, T.d, T.e, T.g, T.f]);
      expect(core(await ids({ sort: "name", dir: "desc" }))).toEqual([T.g, T.e, T.d, T.c, T.b, T.a, T.f]);
      expect(core(await ids({ sort: "domain", dir: "asc" }))).toEqual([T.a, T.b, T.c, T.d, T.e, T.f, T.g]);
      expect((await ids({ sort: "created", dir: "desc" })).slice(0, 7)).toEqual([T.g, T.f, T.e, T.d, T.c, T.b, T.a]);
      expect(core(await ids({ sort: "outcome", dir: "desc" }))).toEqual([T.e, T.f, T.g, T.d, T.a, T.b, T.c]);
    });

    it("pages without gaps or repeats, and reports a page past the end", async () => {
      const { listTenants } = await import("@/lib/data/support/tenants");
      const seen: string[] = [];
      for (const page of [1, 2, 3]) {
        const result = await listTenants(await filters({ sort: "name", dir: "asc", page: String(page) }), NOW);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.pageCount).toBe(3);
        expect(result.rows.length).toBe(page < 3 ? 25 : 7 + BULK - 50);
        seen.push(...result.rows.map((r) => r.id));
      }
      expect(new Set(seen).size).toBe(7 + BULK);
      expect(await listTenants(await filters({ page: "4" }), NOW)).toEqual({
        ok: false,
        reason: "page-out-of-range",
        total: 7 + BULK,
        pageCount: 3,
      });
      expect(await listTenants(await filters({ stage: "failing", page: "2" }), NOW)).toMatchObject({
        ok: false,
        total: 2,
        pageCount: 1,
      });
      // An empty result is one empty first page, not an error.
      expect(await listTenants(await filters({ q: "nothing matches" }), NOW)).toMatchObject({
        ok: true,
        rows: [],
        total: 0,
        pageCount: 1,
      });
    });

    it("returns each row's environments, outcome and failing step", async () => {
      const { listTenants } = await import("@/lib/data/support/tenants");
      const page = await listTenants(await filters({ q: T.e }), NOW);
      expect(page.ok && page.rows[0]).toMatchObject({
        id: T.e,
        displayName: "Echo",
        primaryDomain: "echo.example.com",
        source: "DIRECT",
        consentState: "GRANTED",
        latestCheckOutcome: "FAILED",
        latestFailingStep: "roles",
        customerReference: "sub-9000/eu",
        health: "BROKEN",
        _count: { environments: 1 },
        environments: [{ url: "https://e-org.crm.dynamics.com" }],
      });
    });

    it("exports every matching row, beyond one page, in the list's order", async () => {
      const { exportTenants, countTenants } = await import("@/lib/data/support/tenants");
      const all: string[] = [];
      for await (const batch of exportTenants(await filters({ sort: "name", dir: "asc", page: "2" }), NOW))
        all.push(...batch.map((r) => r.id));
      expect(all.length).toBe(7 + BULK);
      expect(all.slice(0, 3)).toEqual([T.a, T.b, "00000000-0000-4000-8000-000000000000"]);
      const failing: string[] = [];
      for await (const batch of exportTenants(await filters({ stage: "failing" }), NOW))
        failing.push(...batch.map((r) => r.id));
      expect(failing).toEqual([T.e, T.f]);
      // The export carries the vendor's reference and the connection's health.
      const rows: Array<{ id: string; customerReference: string | null; health: string | null }> = [];
      for await (const batch of exportTenants(await filters({ q: "sub-" }), NOW)) rows.push(...batch);
      expect(rows.map(({ id, customerReference, health }) => ({ id, customerReference, health }))).toEqual([
        { id: T.d, customerReference: "SUB-4242", health: "HEALTHY" },
        { id: T.e, customerReference: "sub-9000/eu", health: "BROKEN" },
      ]);
      expect(await countTenants(await filters({ stage: "failing" }), NOW)).toBe(2);
    });

    it("exports in batches of any size in exactly the list's order, for every sort and direction", async () => {
      const { exportTenants, listTenants } = await import("@/lib/data/support/tenants");
      const { SORTS } = await import("@/lib/data/support/tenant-filters");
      for (const sort of SORTS) {
        for (const dir of ["asc", "desc"]) {
          for (const extra of [{}, { stale: "7" }] as Array<Record<string, string>>) {
            const listed: string[] = [];
            for (let page = 1; ; page++) {
              const result = await listTenants(await filters({ sort, dir, page: String(page), ...extra }), NOW);
              if (!result.ok) break;
              listed.push(...result.rows.map((r) => r.id));
              if (page >= result.pageCount) break;
            }
            // Batches of 7 cross from the rows with a key to those without (never checked, no name) mid-batch.
            const exported: string[] = [];
            for await (const batch of exportTenants(await filters({ sort, dir, ...extra }), NOW, { batch: 7 }))
              exported.push(...batch.map((r) => r.id));
            expect(exported, `${sort} ${dir} ${JSON.stringify(extra)}`).toEqual(listed);
            expect(new Set(exported).size).toBe(exported.length);
          }
          expect((await ids({ sort, dir })).length).toBe(7 + BULK);
        }
      }
    });

    it("counts a tenant's environments as they come and go, for the stage filters", async () => {
      const { db } = await import("@/lib/db/client");
      const id = "c1000000-0000-4000-8000-00000000000c";
      await db().tenant.create({
        data: { id, displayName: "Counted", consentState: "GRANTED", createdAt: daysAgo(500) },
      });
      try {
        const count = async () =>
          (await db().tenant.findUniqueOrThrow({ where: { id }, select: { environmentCount: true } })).environmentCount;
        expect(await ids({ stage: "consented" })).toContain(id);
        const first = await db().environment.create({
          data: { tenantId: id, url: "https://counted-1.crm.dynamics.com" },
          select: { id: true },
        });
        await db().environment.createMany({
          data: [
            { tenantId: id, url: "https://counted-2.crm.dynamics.com" },
            { tenantId: id, url: "https://counted-3.crm.dynamics.com" },
          ],
        });
        expect(await count()).toBe(3);
        expect(await ids({ stage: "environment" })).toContain(id);
        await db().environment.delete({ where: { id: first.id } });
        expect(await count()).toBe(2);
        await db().environment.deleteMany({ where: { tenantId: id } });
        expect(await count()).toBe(0);
        expect(await ids({ stage: "consented" })).toContain(id);
        expect(await ids({ stage: "environment" })).not.toContain(id);
      } finally {
        await db().tenant.delete({ where: { id } });
      }
    });

    it("keeps a tenant's oldest check as its environments come, go and are checked, for the stale filter", async () => {
      const { db } = await import("@/lib/db/client");
      const id = "c2000000-0000-4000-8000-00000000000c";
      await db().tenant.create({ data: { id, displayName: "Aged", consentState: "GRANTED", createdAt: daysAgo(500) } });
      try {
        const oldest = async () =>
          (await db().tenant.findUniqueOrThrow({ where: { id }, select: { oldestCheckAt: true } })).oldestCheckAt;
        const stale = async (days: number) => (await ids({ stale: String(days) })).includes(id);
        // No environment: nothing is stale.
        expect(await oldest()).toBeNull();
        expect(await stale(7)).toBe(false);
        const checkedAt = (days: number) => ({ latestCheckAt: daysAgo(days), latestCheckOutcome: "PASSED" as const });
        const first = await db().environment.create({
          data: { tenantId: id, url: "https://aged-1.crm.dynamics.com", ...checkedAt(10) },
          select: { id: true },
        });
        expect(await oldest()).toEqual(daysAgo(10));
        expect(await stale(7)).toBe(true);
        expect(await stale(30)).toBe(false);
        // A second environment, never checked: stale whatever N is.
        const second = await db().environment.create({
          data: { tenantId: id, url: "https://aged-2.crm.dynamics.com" },
          select: { id: true },
        });
        expect(await oldest()).toBeNull();
        expect(await stale(30)).toBe(true);
        // Both checked: the older of the two counts.
        await db().environment.update({ where: { id: second.id }, data: checkedAt(2) });
        expect(await oldest()).toEqual(daysAgo(10));
        await db().environment.update({ where: { id: first.id }, data: checkedAt(1) });
        expect(await oldest()).toEqual(daysAgo(2));
        expect(await stale(7)).toBe(false);
        // The older one removed: the other one's check.
        await db().environment.update({ where: { id: second.id }, data: checkedAt(40) });
        expect(await stale(30)).toBe(true);
        await db().environment.delete({ where: { id: second.id } });
        expect(await oldest()).toEqual(daysAgo(1));
        expect(await stale(7)).toBe(false);
        await db().environment.deleteMany({ where: { tenantId: id } });
        expect(await oldest()).toBeNull();
        expect(await stale(7)).toBe(false);
      } finally {
        await db().tenant.delete({ where: { id } });
      }
    });

    it("counts the funnel and the last week's failures by step", async () => {
      const { onboardingFunnel, failuresByStep } = await import("@/lib/data/support/overview");
      expect(await onboardingFunnel()).toEqual({
        total: 7 + BULK,
        // consented: b..g; environment: c..g; verified: d, g and e (failed after the application-user step).
        reached: { "signed-in": 7 + BULK, consented: 6, environment: 5, verified: 3 },
        failing: 2,
        disconnected: 0,
      });
      const week = await failuresByStep(new Date(NOW.getTime() - 7 * 86_400_000));
      expect(week.map((w) => w.step)).toEqual([
        "token",
        "whoami",
        "application-user",
        "roles",
        "least-privilege",
        "privileges",
        "sample-read",
      ]);
      expect(week.find((w) => w.step === "roles")).toEqual({ step: "roles", checks: 1, tenants: 1 });
      // The token failure is 10 days old: outside the window.
      expect(week.find((w) => w.step === "token")).toEqual({ step: "token", checks: 0, tenants: 0 });
      expect((await failuresByStep(daysAgo(11))).find((w) => w.step === "token")?.checks).toBe(1);
    });

    it("finds one tenant by id, and nothing for an unknown or malformed id", async () => {
      const { getSupportTenant, getSupportEnvironment, getSupportCheck } = await import("@/lib/data/support/tenants");
      expect(await getSupportTenant(T.e.toUpperCase())).toMatchObject({
        id: T.e,
        environments: [{ url: "https://e-org.crm.dynamics.com" }],
      });
      expect(await getSupportTenant("99999999-0000-4000-8000-000000000000")).toBeNull();
      expect(await getSupportTenant("not-a-tenant")).toBeNull();
      const tenant = await getSupportTenant(T.e);
      const envId = tenant!.environments[0]!.id;
      expect(await getSupportEnvironment(T.e, envId)).toMatchObject({ id: envId, tenantId: T.e });
      // An environment is only found under its own tenant.
      expect(await getSupportEnvironment(T.d, envId)).toBeNull();
      expect(await getSupportCheck("nope")).toBeNull();
    });

    it("creates, tracks and revokes invitations, auditing each change", async () => {
      const { db } = await import("@/lib/db/client");
      const { createInvitation, listInvitations, revokeInvitation } = await import("@/lib/data/support/invitations");
      const { viewInvitation } = await import("@/lib/data/invitations");
      const actor = {
        kind: "STAFF" as const,
        tenantId: "3f6a9d2e-7b41-4c85-9e12-5a8b0c4d7e61",
        objectId: "00000000-0000-4000-8000-0000000000aa",
        name: "Sam",
      };
      const first = await createInvitation(
        actor,
        { tenantHint: "contoso.com", note: "ticket 42", expiresInDays: 7 },
        NOW,
      );
      const second = await createInvitation(actor, { tenantHint: null, note: null, expiresInDays: 1 }, NOW);
      expect(await viewInvitation(first.token)).toMatchObject({ status: "valid", tenantHint: "contoso.com" });
      const listed = await listInvitations();
      expect(listed.map((i) => i.id)).toEqual(expect.arrayContaining([first.id, second.id]));
      expect(listed.find((i) => i.id === first.id)).toMatchObject({
        status: "open",
        tenantHint: "contoso.com",
        note: "ticket 42",
        createdByName: "Sam",
      });
      // The token is never stored.
      expect(JSON.stringify(await db().invitation.findMany())).not.toContain(first.token);

      expect(await revokeInvitation(actor, first.id)).toBe(true);
      expect(await revokeInvitation(actor, first.id)).toBe(false);
      expect(await viewInvitation(first.token)).toEqual({ status: "revoked" });
      // A used link cannot be revoked any more.
      await db().invitation.update({ where: { id: second.id }, data: { usedAt: NOW, usedByTenantId: T.c } });
      expect(await revokeInvitation(actor, second.id)).toBe(false);
      expect(await revokeInvitation(actor, "not-a-uuid")).toBe(false);

      const events = await db().auditEvent.findMany({
        where: { targetType: "invitation" },
        orderBy: { createdAt: "asc" },
        select: { action: true, actorKind: true, actorName: true },
      });
      expect(events).toEqual([
        { action: "invitation.created", actorKind: "STAFF", actorName: "Sam" },
        { action: "invitation.created", actorKind: "STAFF", actorName: "Sam" },
        { action: "invitation.revoked", actorKind: "STAFF", actorName: "Sam" },
      ]);
    });
  });
}
