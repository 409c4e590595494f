// A check's start and end as the data layer writes them, each in few statements (lib/data/checks.ts, issue 25), on
// PGlite and on PostgreSQL: the start refuses a second running check and closes abandoned ones; the end writes the
// steps, the environment, the tenant's roll-up and the audit rows together, in the order the events happened.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testCustomerScope } from "../support/customer-scope";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function tenantWithEnvironment() {
  const { db } = await import("@/lib/db/client");
  const tenantId = randomUUID();
  await db().tenant.create({
    data: { id: tenantId, primaryDomain: `${tenantId.slice(0, 8)}.example.com`, consentState: "GRANTED" },
  });
  const env = await db().environment.create({
    data: { tenantId, url: `https://t${tenantId.slice(0, 8)}.crm4.dynamics.com` },
    select: { id: true },
  });
  return { tenantId, environmentId: env.id, scope: await testCustomerScope(tenantId) };
}

export function checkStartEndSuite() {
  describe("a check's start", () => {
    it("returns the check already running instead of starting a second one, and starts one beside it only when asked", async () => {
      const { startCheck } = await import("@/lib/data/checks");
      const { db } = await import("@/lib/db/client");
      const { scope, environmentId, tenantId } = await tenantWithEnvironment();
      const first = await startCheck(scope, environmentId, "CUSTOMER", "token", "unless-running");
      expect(first).toMatchObject({ started: true, prerequisites: { applicationUserId: null, consentProven: false } });
      if (!first.started) return;
      expect(await startCheck(scope, environmentId, "STAFF", "token", "unless-running")).toEqual({
        started: false,
        reason: "running",
        runningCheckId: first.checkId,
      });
      const beside = await startCheck(scope, environmentId, "SYSTEM", "token", "beside");
      expect(beside.started).toBe(true);
      expect(await db().connectionCheck.count({ where: { tenantId, outcome: "RUNNING" } })).toBe(2);
      expect(await db().auditEvent.count({ where: { tenantId, action: "check.started" } })).toBe(2);
    });

    it("closes the checks a stopped process left running (FAILED, audited with a time-ordered id), then starts", async () => {
      const { startCheck, ABANDONED_CHECK_MS } = await import("@/lib/data/checks");
      const { db } = await import("@/lib/db/client");
      const { scope, environmentId, tenantId } = await tenantWithEnvironment();
      const past = Date.now() - ABANDONED_CHECK_MS - 60_000;
      const stale = await startCheck(scope, environmentId, "CUSTOMER", "token", "unless-running", past);
      if (!stale.started) throw new Error("the first check should start");
      const now = Date.now();
      const next = await startCheck(scope, environmentId, "CUSTOMER", "token", "unless-running", now);
      expect(next.started).toBe(true);
      const closed = await db().connectionCheck.findUniqueOrThrow({ where: { id: stale.checkId } });
      expect(closed).toMatchObject({ outcome: "FAILED", currentStep: null });
      const audit = await db().auditEvent.findFirstOrThrow({ where: { tenantId, action: "check.abandoned" } });
      expect(audit).toMatchObject({ targetType: "check", targetId: stale.checkId, details: { environmentId } });
      expect(audit.id).toMatch(UUID_V7);
      expect(parseInt(audit.id.replace(/-/g, "").slice(0, 12), 16)).toBe(now);
    });
  });

  describe("a check's end", () => {
    it("writes the steps, the environment, the tenant and the audit rows, the health change before the end", async () => {
      const { createCheck, recordSteps } = await import("@/lib/data/checks");
      const { finishCheck } = await import("@/lib/checks/finish");
      const { db } = await import("@/lib/db/client");
      const { scope, environmentId, tenantId } = await tenantWithEnvironment();
      // It worked once, before lastVerifiedAt was kept: the end finds that in its history.
      const worked = await createCheck(scope, environmentId, "CUSTOMER");
      await finishCheck(scope, worked.checkId, {
        outcome: "PASSED",
        failingStep: null,
        durationMs: 5,
        entraRequests: 1,
        dataverseRequests: 1,
        applicationUserId: "00000000-0000-4000-8000-0000000000bb",
      });
      await db().environment.update({ where: { id: environmentId }, data: { lastVerifiedAt: null } });
      const { checkId } = await createCheck(scope, environmentId, "CUSTOMER");
      // A step written by an earlier round trip decides the outcome; the last one comes with the end.
      await recordSteps(scope, checkId, [
        {
          ordinal: 0,
          name: "token",
          outcome: "FAILED",
          durationMs: 7,
          diagnosis: "secret-expired",
          customerCause: "The vendor's key expired.",
          customerFix: "Contact the vendor.",
          vendorFault: true,
          vendorDetail: { kind: "entra", traceId: "t-1" },
        },
      ]);
      const end = await finishCheck(
        scope,
        checkId,
        { outcome: "FAILED", failingStep: "token", durationMs: 9, entraRequests: 1, dataverseRequests: 0 },
        [{ ordinal: 1, name: "whoami", outcome: "SKIPPED", durationMs: 0, result: { note: "not reached" } }],
      );
      expect(end.transition).toMatchObject({ kind: "broken", to: "BROKEN", cause: "The vendor's key expired." });
      const steps = await db().checkStep.findMany({ where: { checkId }, orderBy: { ordinal: "asc" } });
      expect(steps.map((s) => [s.name, s.outcome, s.vendorFault, s.result])).toEqual([
        ["token", "FAILED", true, null],
        ["whoami", "SKIPPED", false, { note: "not reached" }],
      ]);
      expect(steps.every((s) => s.tenantId === tenantId && s.id.match(UUID_V7))).toBe(true);
      const env = await db().environment.findUniqueOrThrow({ where: { id: environmentId } });
      expect(env).toMatchObject({
        latestCheckId: checkId,
        applicationUserId: "00000000-0000-4000-8000-0000000000bb",
        latestCheckOutcome: "FAILED",
        latestFailingStep: "token",
        health: "BROKEN",
        healthCauseId: "secret-expired",
      });
      expect(env.brokenSince).not.toBeNull();
      const tenant = await db().tenant.findUniqueOrThrow({ where: { id: tenantId } });
      expect(tenant).toMatchObject({ latestCheckOutcome: "FAILED", latestFailingStep: "token", health: "BROKEN" });
      expect(tenant.oldestCheckAt).toEqual(env.latestCheckAt);
      const trail = await db().auditEvent.findMany({
        where: { tenantId },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { action: true, targetId: true },
      });
      expect(trail.map((a) => a.action).slice(0, 2)).toEqual(["check.finished", "environment.broken"]);
    });

    it("decides from the facts its start read only while they hold: another check's end in between is read again", async () => {
      const { createCheck, startCheck } = await import("@/lib/data/checks");
      const { finishCheck } = await import("@/lib/checks/finish");
      const { db } = await import("@/lib/db/client");
      const { scope, environmentId } = await tenantWithEnvironment();
      const pass = {
        outcome: "PASSED" as const,
        failingStep: null,
        durationMs: 5,
        entraRequests: 1,
        dataverseRequests: 1,
      };
      const fail = {
        outcome: "FAILED" as const,
        failingStep: "whoami",
        durationMs: 5,
        entraRequests: 1,
        dataverseRequests: 1,
      };
      const failedStep = {
        ordinal: 1,
        name: "whoami",
        outcome: "FAILED" as const,
        durationMs: 5,
        diagnosis: "application-user-disabled",
        customerCause: "The application user is disabled.",
        customerFix: "Enable it.",
      };
      const worked = await createCheck(scope, environmentId, "CUSTOMER");
      await finishCheck(scope, worked.checkId, pass);
      // This check starts while the environment is healthy…
      const slow = await startCheck(scope, environmentId, "CUSTOMER", "token", "unless-running");
      if (!slow.started) throw new Error("the check should start");
      expect(slow.facts.environment.health).toBe("HEALTHY");
      // …and another one, beside it, breaks it before it ends.
      const other = await createCheck(scope, environmentId, "STAFF");
      const broke = await finishCheck(scope, other.checkId, fail, [failedStep]);
      expect(broke.transition).toMatchObject({ kind: "broken" });
      const brokenSince = (await db().environment.findUniqueOrThrow({ where: { id: environmentId } })).brokenSince;
      expect(brokenSince).toEqual(other.facts.startedAt);
      // Decided from its start's facts, it would break it again (a second alert) and move brokenSince.
      const end = await finishCheck(scope, slow.checkId, fail, [failedStep], {
        start: slow.facts,
        steps: [failedStep],
      });
      expect(end.transition).toBeNull();
      const env = await db().environment.findUniqueOrThrow({ where: { id: environmentId } });
      expect(env).toMatchObject({ latestCheckId: slow.checkId, health: "BROKEN", brokenSince });
      expect(await db().checkStep.count({ where: { checkId: slow.checkId } })).toBe(1);
    });

    it("ends in one statement what it decided from its start's facts when nothing changed", async () => {
      const { startCheck } = await import("@/lib/data/checks");
      const { finishCheck } = await import("@/lib/checks/finish");
      const { db } = await import("@/lib/db/client");
      const { scope, environmentId, tenantId } = await tenantWithEnvironment();
      const start = await startCheck(scope, environmentId, "CUSTOMER", "token", "unless-running");
      if (!start.started) throw new Error("the check should start");
      const step = { ordinal: 0, name: "token", outcome: "PASSED" as const, durationMs: 4 };
      const end = await finishCheck(
        scope,
        start.checkId,
        { outcome: "PASSED", failingStep: null, durationMs: 4, entraRequests: 1, dataverseRequests: 1 },
        [step],
        { start: start.facts, steps: [step] },
      );
      expect(end).toEqual({ transition: expect.objectContaining({ kind: "ready" }), consentRevoked: false });
      const env = await db().environment.findUniqueOrThrow({ where: { id: environmentId } });
      expect(env).toMatchObject({
        latestCheckId: start.checkId,
        health: "HEALTHY",
        lastVerifiedAt: start.facts.startedAt,
      });
      expect(await db().tenant.findUniqueOrThrow({ where: { id: tenantId } })).toMatchObject({
        latestCheckOutcome: "PASSED",
        health: "HEALTHY",
      });
      const trail = await db().auditEvent.findMany({
        where: { tenantId },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { action: true },
      });
      expect(trail.map((a) => a.action)).toEqual(["check.finished", "environment.ready", "check.started"]);
    });
  });
}
