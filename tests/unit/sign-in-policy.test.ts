import { describe, expect, it } from "vitest";
import { authenticatedAt, decideSignIn, PERSONAL_ACCOUNT_TENANT_ID } from "@/lib/auth/sign-in-policy";
import { DEFAULT_CUSTOMER_ADMIN_ROLE_IDS, describeAdministrators } from "@/lib/auth/customer-roles";
import { safeReturnPath } from "@/lib/safe-return-path";

const home = "3f6a9d2e-7b41-4c85-9e12-5a8b0c4d7e61";
const customer = "c0a3e5f1-2d4b-4a6c-8e9f-1b2c3d4e5f60";
const oid = "0e1d2c3b-4a59-4867-8756-a4b3c2d1e0f9";
const multi = {
  tenancy: "multi" as const,
  homeTenantId: home,
  staffRoles: ["Support.Operator", "Support.Admin"],
  adminRoleIds: DEFAULT_CUSTOMER_ADMIN_ROLE_IDS,
};
const GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10";
const APPLICATION_ADMIN = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
const MEMBER = "b79fbf4d-3ef9-4689-8143-76b194e85509";
const POWER_PLATFORM_ADMIN = "11648597-926c-4cf3-9c36-bcebb0ba8dcc";
const single = { ...multi, tenancy: "single" as const };

describe("decideSignIn", () => {
  it("refuses personal Microsoft accounts", () => {
    expect(decideSignIn({ tid: PERSONAL_ACCOUNT_TENANT_ID, oid }, multi)).toEqual({
      allowed: false,
      reason: "personal-account",
    });
  });
  it("lets a customer tenant's user in as a customer; support roles mean nothing outside the home tenant", () => {
    expect(decideSignIn({ tid: customer.toUpperCase(), oid, roles: ["Support.Admin"] }, multi)).toMatchObject({
      allowed: true,
      kind: "customer",
      tenantId: customer,
      tenantAdmin: false,
    });
  });
  it("makes an administrator of the tenant's connection only of holders of an admin directory role (wids)", () => {
    expect(decideSignIn({ tid: customer, oid, wids: [MEMBER, GLOBAL_ADMIN.toUpperCase()] }, multi)).toMatchObject({
      kind: "customer",
      tenantAdmin: true,
    });
    expect(decideSignIn({ tid: customer, oid, wids: [APPLICATION_ADMIN] }, multi)).toMatchObject({ tenantAdmin: true });
    expect(decideSignIn({ tid: customer, oid, wids: [MEMBER, POWER_PLATFORM_ADMIN] }, multi)).toMatchObject({
      tenantAdmin: false,
    });
    expect(decideSignIn({ tid: customer, oid, wids: GLOBAL_ADMIN }, multi)).toMatchObject({ tenantAdmin: false });
    expect(decideSignIn({ tid: customer, oid }, multi)).toMatchObject({ tenantAdmin: false });
    // The list is configuration: a vendor may accept Power Platform Administrators too.
    expect(
      decideSignIn(
        { tid: customer, oid, wids: [POWER_PLATFORM_ADMIN] },
        { ...multi, adminRoleIds: [POWER_PLATFORM_ADMIN] },
      ),
    ).toMatchObject({ tenantAdmin: true });
  });
  it("makes staff only of home-tenant users holding a support role, and refuses the home tenant's other users", () => {
    expect(decideSignIn({ tid: home, oid, roles: ["Support.Operator"], wids: [GLOBAL_ADMIN] }, multi)).toMatchObject({
      allowed: true,
      kind: "staff",
      tenantAdmin: false,
    });
    expect(decideSignIn({ tid: home, oid, roles: [] }, multi)).toEqual({
      allowed: false,
      reason: "home-tenant-no-role",
    });
    expect(decideSignIn({ tid: home, oid, roles: "Support.Admin", wids: [GLOBAL_ADMIN] }, multi)).toEqual({
      allowed: false,
      reason: "home-tenant-no-role",
    });
  });
  it("names the administrators in plain words", () => {
    expect(describeAdministrators(DEFAULT_CUSTOMER_ADMIN_ROLE_IDS)).toBe(
      "a Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator",
    );
  });
  it("in single-tenant mode refuses every other tenant", () => {
    expect(decideSignIn({ tid: customer, oid }, single)).toEqual({ allowed: false, reason: "other-tenant" });
    expect(decideSignIn({ tid: home, oid }, single)).toMatchObject({
      allowed: true,
      kind: "customer",
      tenantId: home,
      tenantAdmin: false,
    });
    expect(decideSignIn({ tid: home, oid, wids: [GLOBAL_ADMIN] }, single)).toMatchObject({
      kind: "customer",
      tenantAdmin: true,
    });
  });
  it("refuses tokens without a tenant or object id", () => {
    expect(decideSignIn({ oid }, multi)).toEqual({ allowed: false, reason: "missing-claims" });
    expect(decideSignIn({ tid: "contoso", oid }, multi)).toEqual({ allowed: false, reason: "missing-claims" });
    expect(decideSignIn({ tid: customer }, multi)).toEqual({ allowed: false, reason: "missing-claims" });
  });
});

describe("safeReturnPath", () => {
  it.each([
    ["/onboarding/environments", "/onboarding/environments"],
    ["//evil.example/x", "/onboarding"],
    ["https://evil.example", "/onboarding"],
    ["/\\evil.example", "/onboarding"],
    [undefined, "/onboarding"],
    [["/a"], "/onboarding"],
    // A Location header is ASCII: anything else is percent-encoded as UTF-8 (issue 19 item 3), never sent raw (a
    // character above U+00FF made Node throw, é went out as Latin-1 and came back as /Ã©).
    ["/\u3000/evil.example", "/%E3%80%80/evil.example"],
    ["/é", "/%C3%A9"],
    ["/onboarding?q=🔑 x", "/onboarding?q=%F0%9F%94%91%20x"],
    ["/onboarding/%C3%A9", "/onboarding/%C3%A9"],
    ["/a\u007f", "/onboarding"],
    ["/a\ud800", "/onboarding"],
  ])("%s → %s", (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });

  it("returns only printable ASCII", () => {
    for (let code = 0x80; code < 0x3000; code += 7)
      expect(safeReturnPath(`/x${String.fromCodePoint(code)}`)).toMatch(/^\/[\x21-\x7e]*$/);
  });
});

describe("authenticatedAt (issue 19 item 8)", () => {
  const now = new Date("2026-12-04T12:00:00Z");
  const seconds = now.getTime() / 1000;
  it("takes the ID token's auth_time", () => {
    expect(authenticatedAt(seconds - 7200, now)).toEqual(new Date("2026-12-04T10:00:00Z"));
  });
  it("counts the sign-in itself when auth_time is missing, not a number, or in the future beyond clock skew", () => {
    for (const value of [undefined, null, "1700000000", Number.NaN, 0, -5, seconds + 3600])
      expect(authenticatedAt(value, now)).toEqual(now);
  });
  it("reads a time within clock skew ahead as now", () => {
    expect(authenticatedAt(seconds + 60, now)).toEqual(now);
  });
});
