// The step results' schemas (lib/checks/step-results.ts): each step's schema accepts every result and vendor
// detail its evaluator (lib/checks/steps.ts) and the runner (lib/checks/run.ts: waits, the check's unexpected end)
// write, rejects a wrong shape at the write, and a reader given a row in another shape degrades to "no detail".
import { describe, expect, it } from "vitest";
import {
  readStepResult,
  readSupportStep,
  readVendorDetail,
  STEP_RESULTS,
  storedStepResult,
  storedVendorDetail,
  VENDOR_DETAILS,
} from "@/lib/checks/step-results";
import {
  PENDING,
  STEPS,
  vendorDetailOf,
  type CheckFacts,
  type StepContext,
  type StepVerdict,
  type SystemUser,
} from "@/lib/checks/steps";
import { CHECK_STEPS, skipReason, type CheckStepName } from "@/lib/checks/vocabulary";
import { DataverseError, DataverseProtocolError } from "@/lib/dataverse/web-api";
import type { EntraErrorDetail } from "@/lib/entra/token-errors";

const CLIENT_ID = "5e7b9c1d-2f4a-4b6c-8d0e-1f2a3b4c5d6e";
const ROLE = "Northwind Sync Integration";
const ctx = (blockedBy: CheckStepName | null = null): StepContext => ({
  branding: { appName: "Northwind Sync", vendorName: "Northwind Traders", supportEmail: "support@northwind.example" },
  roleName: ROLE,
  clientId: CLIENT_ID,
  required: [
    { name: "prvReadAccount", depth: "Global" },
    { name: "prvReadUser", depth: "Local" },
  ],
  blockedBy,
});

const entra: EntraErrorDetail = {
  httpStatus: 400,
  error: "unauthorized_client",
  aadstsCode: 700016,
  description: "AADSTS700016: not found",
  traceId: "t",
  correlationId: "c",
  timestamp: "2026-12-01 10:00:00Z",
};
const who = { ok: true as const, value: { UserId: "u-1", BusinessUnitId: "b-1", OrganizationId: "o-1" } };
const user = (over: Partial<SystemUser> = {}) => ({
  ok: true as const,
  value: {
    systemuserid: "u-1",
    fullname: "# Northwind Sync",
    applicationid: CLIENT_ID,
    isdisabled: false,
    accessmode: 4,
    systemuserroles_association: [{ roleid: "r-1", name: ROLE }],
    ...over,
  },
});
const fails = (error: unknown) => ({ ok: false as const, error });
const refusedRead = new DataverseError(
  403,
  "0x80040220",
  "Principal user (Id=u-1) is missing prvReadUser privilege (roleCount=1)",
  null,
  "req-1",
);
const noRoles = new DataverseError(
  403,
  "0x80040220",
  "Principal user (Id=u-1) is missing prvReadUser privilege (roleCount=0)",
  null,
  "req-2",
);
const allFacts: CheckFacts = {
  token: { ok: true, value: { fromCache: false } },
  consent: null,
  whoAmI: who,
  user: user(),
  privileges: {
    ok: true,
    value: {
      RolePrivileges: [
        { PrivilegeName: "prvReadAccount", Depth: "Global" },
        { PrivilegeName: "prvReadUser", Depth: "Local" },
      ],
    },
  },
  accounts: { ok: true, value: { value: [{ name: "A. Datum" }, { name: null }] } },
};

/** What one step's evaluator writes for these facts (never PENDING here). */
function verdictOf(
  name: CheckStepName,
  facts: Partial<CheckFacts>,
  blockedBy: CheckStepName | null = null,
): StepVerdict {
  const step = STEPS.find((s) => s.name === name)!;
  const verdict = step.evaluate({ ...allFacts, ...facts }, ctx(blockedBy));
  if (verdict === PENDING) throw new Error(`${name} is pending`);
  return verdict;
}

/** Every kind of verdict each step writes: what it found, warned or failed with, and why it was skipped. */
const WRITTEN: Record<CheckStepName, StepVerdict[]> = {
  token: [
    verdictOf("token", {}),
    verdictOf("token", { token: { ok: true, value: { fromCache: true } }, consent: { ok: true, roleGranted: true } }),
    verdictOf("token", { token: { ok: false, error: new Error("refused"), entra } }),
    verdictOf("token", { token: { ok: false, error: new TypeError("fetch failed"), entra: null } }),
    verdictOf("token", {
      token: { ok: false, error: new Error("AADSTS700016"), entra },
      consent: { ok: true, roleGranted: true },
    }),
    verdictOf("token", { consent: { ok: false, error: new Error("refused"), entra } }),
    verdictOf("token", { consent: { ok: false, error: "network down", entra: null } }),
    verdictOf("token", { consent: { ok: true, roleGranted: false } }),
  ],
  whoami: [
    verdictOf("whoami", {}),
    verdictOf("whoami", {
      whoAmI: fails(
        new DataverseError(403, "0x80072560", "The user is not a member of the organization.", null, "req"),
      ),
    }),
    verdictOf("whoami", { whoAmI: fails(new DataverseError(429, "0x80072322", "Too many requests", 30, null)) }),
    verdictOf("whoami", {
      whoAmI: fails(new DataverseProtocolError("The $batch answer was truncated", 200, "--batchresponse_1")),
    }),
    verdictOf("whoami", { whoAmI: fails("boom") }),
    verdictOf("whoami", {}, "token"),
  ],
  "application-user": [
    verdictOf("application-user", {}),
    verdictOf("application-user", { user: user({ accessmode: 0, fullname: undefined }) }),
    verdictOf("application-user", { user: fails(refusedRead) }),
    verdictOf("application-user", { user: user({ applicationid: "another-app" }) }),
    verdictOf("application-user", { user: user({ applicationid: undefined }) }),
    verdictOf("application-user", { user: user({ isdisabled: true }) }),
    verdictOf("application-user", { whoAmI: fails(new DataverseError(403, "0x80072560", "not a member", null, null)) }),
    verdictOf("application-user", {}, "whoami"),
  ],
  roles: [
    verdictOf("roles", {}),
    verdictOf("roles", { user: user({ systemuserroles_association: [{ roleid: "r-2", name: "Basic User" }] }) }),
    verdictOf("roles", { user: fails(noRoles) }),
    verdictOf("roles", { user: fails(refusedRead) }),
    verdictOf("roles", {}, "application-user"),
  ],
  "least-privilege": [
    verdictOf("least-privilege", {}),
    verdictOf("least-privilege", {
      user: user({ systemuserroles_association: [{ roleid: "r-3", name: "System Administrator" }] }),
    }),
    verdictOf("least-privilege", { user: fails(noRoles) }),
    verdictOf("least-privilege", { user: fails(refusedRead) }),
    verdictOf("least-privilege", {}, "application-user"),
  ],
  privileges: [
    verdictOf("privileges", {}),
    verdictOf("privileges", {
      privileges: { ok: true, value: { RolePrivileges: [{ PrivilegeName: "prvReadUser", Depth: "Basic" }] } },
    }),
    verdictOf("privileges", { privileges: fails(new DataverseError(500, null, null, null, null)) }),
    verdictOf("privileges", { user: fails(refusedRead) }),
    verdictOf("privileges", {}, "roles"),
  ],
  "sample-read": [
    verdictOf("sample-read", {}),
    verdictOf("sample-read", {
      accounts: fails(new DataverseError(403, "0x80040220", "missing prvReadAccount", null, null)),
    }),
    verdictOf("sample-read", {}, "privileges"),
  ],
};

describe("step results: one schema per step", () => {
  it("covers every step of the vocabulary, each verdict kind with a result or a vendor detail", () => {
    expect(Object.keys(STEP_RESULTS).sort()).toEqual([...CHECK_STEPS].sort());
    expect(Object.keys(VENDOR_DETAILS).sort()).toEqual([...CHECK_STEPS].sort());
    for (const name of CHECK_STEPS) {
      // The token is the first step: nothing before it can block it.
      expect(WRITTEN[name].some((v) => v.outcome === "SKIPPED")).toBe(name !== "token");
      // "least-privilege" never fails on its own: its only vendor detail is the check's unexpected end (below).
      expect(WRITTEN[name].some((v) => v.vendorDetail)).toBe(name !== "least-privilege");
    }
  });

  it.each(CHECK_STEPS)("%s: accepts what the evaluator writes, unchanged", (name) => {
    for (const verdict of WRITTEN[name]) {
      if (verdict.result) expect(storedStepResult(name, verdict.result)).toEqual(verdict.result);
      if (verdict.vendorDetail) expect(storedVendorDetail(name, verdict.vendorDetail)).toEqual(verdict.vendorDetail);
      // Read back as written: the stored JSON and the API's output are the same as before the schemas.
      const stored = JSON.parse(
        JSON.stringify({ result: verdict.result ?? null, vendorDetail: verdict.vendorDetail ?? null }),
      ) as { result: unknown; vendorDetail: unknown };
      expect(readStepResult(name, stored.result)).toEqual(stored.result);
      expect(readVendorDetail(name, stored.vendorDetail)).toEqual(stored.vendorDetail);
    }
  });

  it.each(CHECK_STEPS)("%s: accepts what the runner adds (Retry-After waits, the check's unexpected end)", (name) => {
    const found = WRITTEN[name].find((v) => v.result)!.result!;
    expect(storedStepResult(name, { ...found, throttledWaitsSeconds: [1, 2] })).toEqual({
      ...found,
      throttledWaitsSeconds: [1, 2],
    });
    expect(storedStepResult(name, { throttledWaitsSeconds: [3] })).toEqual({ throttledWaitsSeconds: [3] });
    expect(storedStepResult(name, { reason: skipReason("unexpected") })).toEqual({ reason: skipReason("unexpected") });
    for (const error of [
      new Error("boom"),
      "boom",
      new DataverseError(502, null, null, null, null),
      new DataverseProtocolError("bad", 200, "x"),
    ]) {
      expect(storedVendorDetail(name, vendorDetailOf(error))).toEqual(vendorDetailOf(error));
    }
  });

  it.each(CHECK_STEPS)("%s: rejects a wrong shape at the write", (name) => {
    const wrong: unknown[] = [
      { accounts: "A. Datum" },
      { reason: 3 },
      { reason: "Not checked.", extra: true },
      { throttledWaitsSeconds: ["1"] },
      { fromCache: "yes" },
      ["a"],
      "text",
    ];
    for (const value of wrong) expect(() => storedStepResult(name, value as never)).toThrow();
    // Another step's result is a wrong shape too.
    const other = name === "sample-read" ? { roles: ["Basic User"] } : { accounts: ["A. Datum"] };
    expect(() => storedStepResult(name, other as never)).toThrow();
    for (const value of [
      { service: "dataverse", httpStatus: "403" },
      { service: "other", message: "x" },
      { message: "no service" },
      { ...vendorDetailOf(new Error("x")), token: "secret" },
    ]) {
      expect(() => storedVendorDetail(name, value as never)).toThrow();
    }
  });
});

describe("reading a stored step", () => {
  // Rows written by an older version (or by hand) in shapes this version does not know.
  const legacy: Array<[CheckStepName, unknown, unknown]> = [
    ["sample-read", { accounts: "A. Datum, Contoso" }, { requestId: "req-1" }],
    ["privileges", { checked: [1, 2] }, { missing: "prvReadContact", heldCount: 7 }],
    ["token", { fromCache: "no" }, { service: "entra", aadstsCode: "700016" }],
    ["roles", "roles", ["a"]],
    ["whoami", 42, true],
  ];

  it.each(legacy)("%s: a malformed row reads as no detail, without throwing", (name, result, vendorDetail) => {
    expect(readStepResult(name, result)).toBeNull();
    expect(readVendorDetail(name, vendorDetail)).toBeNull();
    const step = { name, outcome: "FAILED", durationMs: 12, result, vendorDetail };
    expect(readSupportStep(step)).toEqual({
      name,
      outcome: "FAILED",
      durationMs: 12,
      result: null,
      vendorDetail: null,
    });
  });

  it("no stored value, or a step this version does not know, reads as no detail", () => {
    expect(readStepResult("sample-read", null)).toBeNull();
    expect(readVendorDetail("token", undefined)).toBeNull();
    expect(readStepResult("retired-step", { reason: "Not checked." })).toBeNull();
    expect(readVendorDetail("retired-step", vendorDetailOf(new Error("x")))).toBeNull();
  });

  it("a well-formed row reads typed, exactly as stored", () => {
    const step = readSupportStep({
      name: "sample-read",
      result: { accounts: ["A. Datum", "Contoso"], throttledWaitsSeconds: [1] },
      vendorDetail: null,
    });
    expect(step.result).toEqual({ accounts: ["A. Datum", "Contoso"], throttledWaitsSeconds: [1] });
    expect(step.result && "accounts" in step.result ? step.result.accounts : null).toEqual(["A. Datum", "Contoso"]);
    expect(
      readVendorDetail("privileges", {
        missing: [{ name: "prvReadContact", depth: "Global", held: null }],
        heldCount: 7,
      }),
    ).toEqual({
      missing: [{ name: "prvReadContact", depth: "Global", held: null }],
      heldCount: 7,
    });
  });
});
