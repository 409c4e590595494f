// The API's one derivation of a connection's state (lib/api/connection-state.ts) and its per-app rate limit.
import { describe, expect, it } from "vitest";
import { environmentState, tenantState } from "@/lib/api/connection-state";
import { takeApiRequest } from "@/lib/api/rate-limit";

describe("connection state", () => {
  it("is the latest finished check's outcome, and consent_removed whenever consent was removed", () => {
    const granted = { consentState: "GRANTED" as const };
    expect(environmentState(granted, { latestCheckOutcome: "PASSED" })).toBe("healthy");
    expect(environmentState(granted, { latestCheckOutcome: "WARNING" })).toBe("degraded");
    expect(environmentState(granted, { latestCheckOutcome: "FAILED" })).toBe("broken");
    expect(environmentState(granted, { latestCheckOutcome: null })).toBe("pending");
    expect(environmentState({ consentState: "REVOKED" }, { latestCheckOutcome: "PASSED" })).toBe("consent_removed");
    expect(tenantState({ consentState: "GRANTED", latestCheckOutcome: "FAILED" })).toBe("broken");
  });
});

describe("API rate limit per calling application", () => {
  it("allows the limit within a minute, then answers when to retry; other apps are not affected", () => {
    const now = 1_000_000;
    const app = `app-${Math.random()}`;
    for (let i = 0; i < 3; i++) expect(takeApiRequest(app, 3, now + i * 1000)).toMatchObject({ allowed: true, remaining: 2 - i });
    expect(takeApiRequest(app, 3, now + 5000)).toEqual({ allowed: false, retryAfterSeconds: 55 });
    expect(takeApiRequest(`${app}-other`, 3, now + 5000)).toMatchObject({ allowed: true });
    expect(takeApiRequest(app, 3, now + 60_001)).toMatchObject({ allowed: true });
  });
});
