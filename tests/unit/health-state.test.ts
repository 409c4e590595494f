// The per-environment health state machine (lib/checks/health.ts): transitions only when the state
// changes, "broken since" kept while broken, consent removed recognised, passing failures never break.
import { describe, expect, it } from "vitest";
import { nextHealth, type CheckResultForHealth, type HealthRecord } from "@/lib/checks/health";

const none: HealthRecord = {
  health: null,
  brokenSince: null,
  healthCause: null,
  healthCauseId: null,
  lastVerifiedAt: null,
};
const t0 = new Date("2026-11-29T10:00:00Z");
const t1 = new Date("2026-11-29T11:00:00Z");
const passed = (startedAt = t0): CheckResultForHealth => ({
  outcome: "PASSED",
  startedAt,
  diagnosis: null,
  errorCode: null,
  cause: null,
  consentWasVerified: true,
});
const failed = (diagnosis: string, errorCode: string | null = null, startedAt = t0): CheckResultForHealth => ({
  outcome: "FAILED",
  startedAt,
  diagnosis,
  errorCode,
  cause: `because ${diagnosis}`,
  consentWasVerified: true,
});
const record = (c: ReturnType<typeof nextHealth>): HealthRecord => {
  const { healthChangedAt: _, ...rest } = c.next;
  return rest;
};

describe("environment health", () => {
  it("first pass is ready; further passes tell nobody", () => {
    const first = nextHealth(none, passed(), "App");
    expect(first.transition).toMatchObject({ kind: "ready", from: null, to: "HEALTHY" });
    expect(nextHealth(record(first), passed(t1), "App").transition).toBeNull();
  });

  it("broken once, broken since the first failing check, cause kept; recovered once, then healthy silently", () => {
    const healthy = record(nextHealth(none, passed(), "App"));
    const broken = nextHealth(healthy, failed("application-user-disabled", "0x8004430d", t0), "App");
    expect(broken.transition).toMatchObject({
      kind: "broken",
      from: "HEALTHY",
      to: "BROKEN",
      causeId: "application-user-disabled",
      cause: "because application-user-disabled",
    });
    expect(broken.next.brokenSince).toEqual(t0);
    const still = nextHealth(record(broken), failed("role-missing", null, t1), "App");
    expect(still.transition).toBeNull();
    expect(still.next).toMatchObject({ health: "BROKEN", brokenSince: t0, healthCauseId: "role-missing" });
    const recovered = nextHealth(record(still), passed(t1), "App");
    expect(recovered.transition).toMatchObject({ kind: "recovered", from: "BROKEN", to: "RECOVERED" });
    expect(recovered.next.brokenSince).toBeNull();
    const again = nextHealth(record(recovered), passed(t1), "App");
    expect(again.next.health).toBe("HEALTHY");
    expect(again.transition).toBeNull();
  });

  it("a warning degrades; a passing failure degrades a healthy environment but neither breaks nor mends a broken one", () => {
    const healthy = record(nextHealth(none, passed(), "App"));
    const warned = nextHealth(
      healthy,
      { ...passed(), outcome: "WARNING", diagnosis: "system-administrator", cause: "too much" },
      "App",
    );
    expect(warned.transition).toMatchObject({ kind: "degraded", to: "DEGRADED" });
    expect(nextHealth(healthy, failed("throttled"), "App").next.health).toBe("DEGRADED");
    const broken = record(nextHealth(healthy, failed("role-missing"), "App"));
    const throttled = nextHealth(broken, failed("entra-unreachable", null, t1), "App");
    expect(throttled.transition).toBeNull();
    expect(throttled.next).toMatchObject({ health: "BROKEN", brokenSince: t0, healthCauseId: "role-missing" });
  });

  it("700016 / 7000229 for a tenant whose consent was proven is consent removed; before proof it is not", () => {
    const healthy = record(nextHealth(none, passed(), "Northwind Sync"));
    for (const code of ["AADSTS700016", "AADSTS7000229"]) {
      const change = nextHealth(healthy, failed("app-not-in-tenant", code), "Northwind Sync");
      expect(change.transition).toMatchObject({ kind: "broken", consentRemoved: true, causeId: "consent-removed" });
      expect(change.next.healthCause).toContain("Admin consent for Northwind Sync was removed");
    }
    // Before consent was ever proven it is a plain failure; and an environment that never worked alerts nobody.
    const never = nextHealth(
      none,
      { ...failed("app-not-in-tenant", "AADSTS700016"), consentWasVerified: false },
      "App",
    );
    expect(never.next).toMatchObject({ health: "BROKEN", healthCauseId: "app-not-in-tenant" });
    expect(never.transition).toBeNull();
    // The check's fresh consent proof found the admin-only permission gone (no Microsoft code).
    const roleGone = nextHealth(healthy, failed("consent-removed"), "App");
    expect(roleGone.transition).toMatchObject({ kind: "broken", consentRemoved: true, causeId: "consent-removed" });
  });

  it("an environment that never worked: no alert while it fails, and its first working check is ready (connected), never recovered", () => {
    const failing = nextHealth(none, failed("role-missing"), "App");
    expect(failing.transition).toBeNull();
    const stillFailing = nextHealth(record(failing), failed("privileges-missing", null, t1), "App");
    expect(stillFailing.transition).toBeNull();
    const works = nextHealth(record(stillFailing), passed(t1), "App");
    expect(works.transition).toMatchObject({ kind: "ready", from: "BROKEN", to: "HEALTHY" });
    expect(works.next).toMatchObject({ health: "HEALTHY", brokenSince: null, lastVerifiedAt: t1 });
    // A first check that only warns is ready too.
    expect(
      nextHealth(none, { ...passed(), outcome: "WARNING", diagnosis: "system-administrator", cause: "too much" }, "App")
        .transition,
    ).toMatchObject({ kind: "ready", to: "DEGRADED" });
    // Once it has worked, a failure is "broken" and the next pass "recovered".
    const broken = nextHealth(record(works), failed("role-missing", null, t1), "App");
    expect(broken.transition).toMatchObject({ kind: "broken" });
    expect(nextHealth(record(broken), passed(t1), "App").transition).toMatchObject({ kind: "recovered" });
  });
});
