// The API's one derivation of a connection's state (lib/api/connection-state.ts). Its per-app rate limit is in the
// database now: tests/integration/rate-limits.suite.ts.
import { describe, expect, it } from "vitest";
import { environmentState, tenantState } from "@/lib/api/connection-state";

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
