// The demo's seeded data (scripts/db-seed.ts) is data the product itself could have written: no check before its
// environment was registered, every environment that has worked carries lastVerifiedAt (so scheduled
// re-verification picks it up), health as its checks would have left it, and people's actions recorded as theirs.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { usePortalDatabase } from "../support/portal-database";

usePortalDatabase("postgres");

const FABRIKAM = "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d";
const LITWARE = "1a7e5c00-0000-4000-8000-00000000a001";
const PROSEWARE = "1a7e5c00-0000-4000-8000-00000000a002";
const COHO = "1a7e5c00-0000-4000-8000-00000000a003";
const ALPINE = "1a7e5c00-0000-4000-8000-00000000a004";

function runSeed(): string {
  const result = spawnSync(
    path.join("node_modules", ".bin", "tsx"),
    ["--conditions=react-server", "scripts/db-seed.ts"],
    {
      env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL, EMULATOR_PORT: "44399", LOG_LEVEL: "warn" },
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  if (result.status !== 0) throw new Error(`db:seed failed (${result.status}): ${result.stderr || result.stdout}`);
  return result.stdout;
}

beforeAll(() => {
  expect(runSeed()).toMatch(/^Seeded demo data/);
}, 150_000);

describe("the demo seed", () => {
  it("never has a check before its environment was registered, nor an environment before its tenant signed in", async () => {
    const { db } = await import("@/lib/db/client");
    const environments = await db().environment.findMany({
      select: {
        url: true,
        createdAt: true,
        tenant: { select: { firstSignInAt: true } },
        checks: { select: { startedAt: true } },
      },
    });
    expect(environments.length).toBeGreaterThanOrEqual(5);
    for (const e of environments) {
      expect(e.createdAt.getTime(), e.url).toBeGreaterThanOrEqual(e.tenant.firstSignInAt.getTime());
      for (const c of e.checks) expect(c.startedAt.getTime(), e.url).toBeGreaterThanOrEqual(e.createdAt.getTime());
    }
    // Nor does the audit trail say it was registered later than its checks ran.
    const registered = await db().auditEvent.findMany({
      where: { action: "environment.registered" },
      select: { targetId: true, createdAt: true },
    });
    expect(registered.length).toBe(environments.length);
    for (const r of registered) {
      const first = await db().connectionCheck.findFirst({
        where: { environmentId: r.targetId! },
        orderBy: { startedAt: "asc" },
        select: { startedAt: true },
      });
      if (first) expect(r.createdAt.getTime()).toBeLessThanOrEqual(first.startedAt.getTime());
    }
  });

  it("gives every environment that has worked its lastVerifiedAt, so scheduled re-verification includes it", async () => {
    const { db } = await import("@/lib/db/client");
    const { dueEnvironments } = await import("@/lib/data/monitoring");
    const environments = await db().environment.findMany({
      select: {
        id: true,
        tenantId: true,
        lastVerifiedAt: true,
        checks: {
          where: { outcome: { in: ["PASSED", "WARNING"] } },
          orderBy: { startedAt: "desc" },
          take: 1,
          select: { startedAt: true },
        },
      },
    });
    for (const e of environments) expect(e.lastVerifiedAt, e.tenantId).toEqual(e.checks[0]?.startedAt ?? null);
    const verified = environments
      .filter((e) => e.lastVerifiedAt)
      .map((e) => e.tenantId)
      .sort();
    expect(verified).toEqual([FABRIKAM, LITWARE, COHO].sort());
    // Every slot of an hourly interval, together: each verified environment exactly once.
    const due: string[] = [];
    for (let slot = 0; slot < 60; slot++) due.push(...(await dueEnvironments(60, slot)).map((d) => d.tenantId));
    expect(due.sort()).toEqual(verified);
  });

  it("leaves each environment's health as its checks would have, and the tenant's as its worst environment's", async () => {
    const { db } = await import("@/lib/db/client");
    const health = async (tenantId: string) =>
      db().environment.findFirstOrThrow({
        where: { tenantId },
        select: {
          health: true,
          brokenSince: true,
          healthCauseId: true,
          tenant: { select: { health: true, brokenSince: true } },
        },
      });
    expect(await health(FABRIKAM)).toMatchObject({
      health: "HEALTHY",
      brokenSince: null,
      tenant: { health: "HEALTHY" },
    });
    expect(await health(COHO)).toMatchObject({
      health: "DEGRADED",
      healthCauseId: "system-administrator",
      tenant: { health: "DEGRADED" },
    });
    const litware = await health(LITWARE);
    const litwareFailure = await db().connectionCheck.findFirstOrThrow({
      where: { tenantId: LITWARE, outcome: "FAILED" },
      select: { startedAt: true },
    });
    expect(litware).toMatchObject({
      health: "BROKEN",
      brokenSince: litwareFailure.startedAt,
      tenant: { health: "BROKEN", brokenSince: litwareFailure.startedAt },
    });
    // Never worked: broken since its first failing check (nobody was alerted: it had not worked yet).
    const proseware = await health(PROSEWARE);
    const firstFailure = await db().connectionCheck.findFirstOrThrow({
      where: { tenantId: PROSEWARE },
      orderBy: { startedAt: "asc" },
      select: { startedAt: true },
    });
    expect(proseware).toMatchObject({
      health: "BROKEN",
      brokenSince: firstFailure.startedAt,
      healthCauseId: "application-user-missing",
    });
    expect(await health(ALPINE)).toMatchObject({ health: null });
  });

  it("monitors Fabrikam: its customer's own check, then hourly scheduled ones; people's actions are recorded as theirs", async () => {
    const { db } = await import("@/lib/db/client");
    const checks = await db().connectionCheck.findMany({
      where: { tenantId: FABRIKAM },
      orderBy: { startedAt: "asc" },
      select: { trigger: true, triggeredByName: true, startedAt: true },
    });
    expect(checks[0]).toMatchObject({ trigger: "CUSTOMER", triggeredByName: "Diego Siciliani" });
    expect(
      checks.slice(1).every((c) => c.trigger === "SCHEDULED" && c.triggeredByName === "scheduled re-verification"),
    ).toBe(true);
    expect(checks.length).toBeGreaterThan(11);
    const env = await db().environment.findFirstOrThrow({
      where: { tenantId: FABRIKAM },
      select: { latestCheck: { select: { startedAt: true } }, lastVerifiedAt: true },
    });
    expect(env.latestCheck?.startedAt).toEqual(checks.at(-1)!.startedAt);

    const events = await db().auditEvent.findMany({
      where: { tenantId: { in: [FABRIKAM, LITWARE] } },
      select: { action: true, actorKind: true, actorName: true },
    });
    const by = (action: string) => events.filter((e) => e.action === action);
    for (const e of [...by("tenant.created"), ...by("consent.verified"), ...by("environment.registered")])
      expect(e.actorKind).toBe("CUSTOMER");
    expect(
      by("check.started").some((e) => e.actorKind === "SYSTEM" && e.actorName === "scheduled re-verification"),
    ).toBe(true);
    expect(events.some((e) => e.actorName === "Demo seed")).toBe(false);
  });

  it("is idempotent", () => {
    expect(runSeed()).toMatch(/^Demo data already present/);
  }, 150_000);
});
