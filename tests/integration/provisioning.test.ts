// "Set it up for me" against the emulated Dataverse (lib/dataverse/provisioning.ts, lib/onboarding/setup-diagnoses.ts):
// with an administrator's delegated token it creates the least-privilege role, the application user and the
// assignment once, changes nothing when run again, stops for the administrator's decision on a differing role
// or a disabled user, honours Retry-After, and explains each refusal with who can fix it.
import { beforeEach, describe, expect, it } from "vitest";
import {
  DEMO_IDS,
  demoScenario,
  scenario,
  testCredentials,
  withSettings,
  type EmulatorHandle,
} from "@tenant-onboarding/emulator";
import { useCheckHarness } from "../support/check-harness";
import { config } from "@/lib/config";

const harness = useCheckHarness();
const ROLE = "Northwind Sync Integration";

beforeEach(() => {
  harness.emulator.admin.replaceScenario(demoScenario({ credentials: testCredentials() }));
});

/** A delegated (user) token for one environment, as Entra issues it after incremental consent. */
async function userToken(emu: EmulatorHandle, tenantId: string, upn: string, envName: string): Promise<string> {
  const tenant = emu.scenario.tenants.find((t) => t.id === tenantId)!;
  const user = tenant.users.find((u) => u.upn === upn)!;
  const now = Math.floor(Date.now() / 1000);
  return emu.admin.issueToken({
    aud: emu.environmentUrl(envName),
    iss: `https://sts.windows.net/${tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + 600,
    tid: tenantId,
    oid: user.oid,
    upn,
    scp: "user_impersonation",
    idtyp: "user",
    appid: DEMO_IDS.clientId,
    ver: "1.0",
  });
}

function environment(emu: EmulatorHandle, name: string) {
  const env = emu.admin.state().scenario.environments.find((e) => e.name === name)!;
  const appUser = env.systemUsers.find((u) => u.applicationId === DEMO_IDS.clientId) ?? null;
  return {
    role: env.roles.find((r) => r.name === ROLE) ?? null,
    appUser,
    appUserRoles: appUser ? appUser.roleIds.map((id) => env.roles.find((r) => r.id === id)?.name) : [],
  };
}

async function provision(
  envName: string,
  token: string,
  approvals: ("change-role" | "enable-user")[] = [],
  waits: number[] = [],
) {
  const { provisionEnvironment } = await import("@/lib/dataverse/provisioning");
  return provisionEnvironment({
    environmentUrl: harness.emulator.environmentUrl(envName),
    accessToken: token,
    applicationId: DEMO_IDS.clientId,
    roleName: ROLE,
    privileges: config().dataverse.rolePrivileges,
    approvals,
    waitForRetry: async (seconds) => {
      waits.push(seconds);
    },
  });
}

async function failureOf(promise: Promise<unknown>) {
  // Handled before anything else is awaited: on a cold machine the imports below outlast the request, and a
  // rejection that finds no handler is an unhandled rejection (issue 19 item 16).
  const settled = promise.then(
    () => null,
    (e: unknown) => e,
  );
  const { ProvisioningFailure } = await import("@/lib/dataverse/provisioning");
  const { diagnoseProvisioningFailure } = await import("@/lib/onboarding/setup-diagnoses");
  const error = await settled;
  expect(error).toBeInstanceOf(ProvisioningFailure);
  const failure = error as InstanceType<typeof ProvisioningFailure>;
  return { failure, diagnosis: diagnoseProvisioningFailure(failure, config()) };
}

describe("Set it up for me", () => {
  it("creates the role with exactly the configured privileges, the application user and the assignment; the second run changes nothing", async () => {
    const emu = harness.emulator;
    emu.admin.grantConsent("Contoso");
    const token = await userToken(emu, DEMO_IDS.tenants.contoso, "megan@contoso.onmicrosoft.com", "contoso");
    const first = await provision("contoso", token);
    expect(first.steps.map((s) => [s.action, s.result])).toEqual([
      ["role", "created"],
      ["privileges", "changed"],
      ["application-user", "created"],
      ["assignment", "created"],
    ]);
    expect(first.decision).toBeNull();
    const created = environment(emu, "contoso");
    expect(created.role?.id).toBe(first.roleId);
    expect(created.role?.privileges.map((p) => `${p.name}:${p.depth}`).sort()).toEqual(
      [
        "prvReadAccount:Global",
        "prvWriteAccount:Global",
        "prvCreateAccount:Global",
        "prvReadContact:Global",
        "prvWriteContact:Global",
        "prvCreateContact:Global",
        "prvReadUser:Local",
        "prvReadRole:Local",
      ].sort(),
    );
    expect(created.appUser?.id).toBe(first.applicationUserId);
    expect(created.appUserRoles).toEqual([ROLE]);

    const second = await provision("contoso", token);
    expect(second.steps.map((s) => s.result)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"]);
    expect(environment(emu, "contoso")).toEqual(created);
  });

  it("follows @odata.nextLink: with Dataverse paging at one row, every lookup still finds all it needs", async () => {
    const emu = harness.emulator;
    emu.admin.replaceScenario(withSettings(demoScenario({ credentials: testCredentials() }), { defaultPageSize: 1 }));
    emu.admin.grantConsent("Contoso");
    const token = await userToken(emu, DEMO_IDS.tenants.contoso, "megan@contoso.onmicrosoft.com", "contoso");
    const first = await provision("contoso", token);
    expect(first.steps.map((s) => s.result)).toEqual(["created", "changed", "created", "created"]);
    expect(environment(emu, "contoso").role?.privileges).toHaveLength(8);
    // A second role, listed before the portal's own: the assignment is on the second page of the user's roles.
    emu.admin.assignRole("contoso", "Basic User");
    const second = await provision("contoso", token);
    expect(second.steps.map((s) => s.result)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"]);
    expect(environment(emu, "contoso").appUserRoles.sort()).toEqual(["Basic User", ROLE].sort());
  });

  it("refuses, with who can fix it, when the administrator is only a Basic User of the environment; nothing is created", async () => {
    const emu = harness.emulator;
    emu.admin.grantConsent("Contoso");
    const token = await userToken(emu, DEMO_IDS.tenants.contoso, "alex@contoso.onmicrosoft.com", "contoso");
    const { failure, diagnosis } = await failureOf(provision("contoso", token));
    expect(failure.action).toBe("role");
    expect(diagnosis).toMatchObject({ id: "not-environment-admin", code: "0x80040220" });
    expect(diagnosis.whoCanFix).toContain("System Administrator of this environment");
    expect(environment(emu, "contoso")).toMatchObject({ role: null, appUser: null });
  });

  it("shows a role of that name with other privileges as a difference, and changes it only when approved", async () => {
    const emu = harness.emulator;
    emu.admin.setRolePrivilege("adventureworks-dev", ROLE, "prvDeleteAccount", "Global");
    emu.admin.setRolePrivilege("adventureworks-dev", ROLE, "prvReadUser", "Global");
    emu.admin.setRolePrivilege("adventureworks-dev", ROLE, "prvCreateContact", null);
    const token = await userToken(
      emu,
      DEMO_IDS.tenants.adventureWorks,
      "adele@adventureworks.onmicrosoft.com",
      "adventureworks-dev",
    );
    const asked = await provision("adventureworks-dev", token);
    expect(asked.decision).toEqual({
      kind: "role-differs",
      missing: [{ name: "prvCreateContact", depth: "Global" }],
      extra: expect.arrayContaining([
        { name: "prvDeleteAccount", depth: "Global" },
        { name: "prvReadUser", depth: "Global" },
      ]),
    });
    expect(environment(emu, "adventureworks-dev").appUser).toBeNull();
    expect(environment(emu, "adventureworks-dev").role?.privileges.map((p) => p.name)).toContain("prvDeleteAccount");

    const approved = await provision("adventureworks-dev", token, ["change-role"]);
    expect(approved.decision).toBeNull();
    expect(approved.privilegesRemoved.map((p) => p.name).sort()).toEqual(["prvDeleteAccount", "prvReadUser"]);
    const after = environment(emu, "adventureworks-dev");
    expect(after.role?.privileges.map((p) => `${p.name}:${p.depth}`)).toContain("prvReadUser:Local");
    expect(after.role?.privileges.map((p) => p.name)).not.toContain("prvDeleteAccount");
    expect(after.role?.privileges).toHaveLength(8);
    expect(after.appUserRoles).toEqual([ROLE]);
  });

  it("asks before enabling a disabled application user", async () => {
    const emu = harness.emulator;
    emu.admin.setApplicationUserDisabled("fabrikam", true);
    const token = await userToken(emu, DEMO_IDS.tenants.fabrikam, "diego@fabrikam.onmicrosoft.com", "fabrikam");
    const asked = await provision("fabrikam", token);
    expect(asked.decision).toEqual({ kind: "user-disabled" });
    expect(environment(emu, "fabrikam").appUser?.isDisabled).toBe(true);
    const approved = await provision("fabrikam", token, ["enable-user"]);
    expect(approved.steps.find((s) => s.action === "application-user")?.result).toBe("changed");
    expect(environment(emu, "fabrikam").appUser?.isDisabled).toBe(false);
  });

  it("honours Retry-After when Dataverse throttles, then carries on", async () => {
    const emu = harness.emulator;
    emu.admin.grantConsent("Contoso");
    emu.admin.throttle({ environment: "contoso", count: 2, retryAfterSeconds: 2 });
    const waits: number[] = [];
    const result = await provision(
      "contoso",
      await userToken(emu, DEMO_IDS.tenants.contoso, "megan@contoso.onmicrosoft.com", "contoso"),
      [],
      waits,
    );
    expect(waits).toEqual([2, 2]);
    expect(result.steps.at(-1)).toMatchObject({ action: "assignment", result: "created" });
  });

  it("explains administration mode and a security group the administrator is not in", async () => {
    const emu = harness.emulator;
    emu.admin.grantConsent("Contoso");
    emu.admin.setAdministrationMode("contoso", true);
    const alex = await userToken(emu, DEMO_IDS.tenants.contoso, "alex@contoso.onmicrosoft.com", "contoso");
    expect((await failureOf(provision("contoso", alex))).diagnosis).toMatchObject({
      id: "administration-mode",
      code: "0x8004f0fd",
    });

    emu.admin.replaceScenario(
      scenario({
        credentials: testCredentials(),
        customers: [
          {
            name: "Grouped",
            users: [
              { name: "Inside Admin", upn: "inside", admin: true },
              { name: "Outside Admin", upn: "outside", admin: true },
            ],
            environments: [
              {
                name: "grouped",
                appUser: "none",
                integrationRole: "absent",
                securityGroup: { name: "Dataverse users", members: ["inside"] },
              },
            ],
          },
        ],
      }),
    );
    const tenantId = emu.scenario.tenants.find((t) => t.displayName === "Grouped")!.id;
    const outside = await userToken(emu, tenantId, "outside@grouped.onmicrosoft.com", "grouped");
    expect((await failureOf(provision("grouped", outside))).diagnosis).toMatchObject({
      id: "not-in-environment",
      code: "0x80072560",
    });
    const inside = await userToken(emu, tenantId, "inside@grouped.onmicrosoft.com", "grouped");
    expect((await provision("grouped", inside)).steps.map((s) => s.result)).toEqual([
      "created",
      "changed",
      "created",
      "created",
    ]);
  });

  it("never assigns System Administrator, even when configured to", async () => {
    const { provisionEnvironment } = await import("@/lib/dataverse/provisioning");
    const emu = harness.emulator;
    const token = await userToken(emu, DEMO_IDS.tenants.fabrikam, "diego@fabrikam.onmicrosoft.com", "fabrikam");
    await expect(
      provisionEnvironment({
        environmentUrl: emu.environmentUrl("fabrikam"),
        accessToken: token,
        applicationId: DEMO_IDS.clientId,
        roleName: "System Administrator",
        privileges: [],
        approvals: [],
      }),
    ).rejects.toThrow("never assigns System Administrator");
  });
});
