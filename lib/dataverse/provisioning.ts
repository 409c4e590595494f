import "server-only";

// What "Set it up for me" does in the customer's environment, with the administrator's delegated token
// (docs/protocol/dataverse.md "Creating the role"): find or create the least-privilege role in the root
// business unit, find or create the application user, assign the role. Each action is one step with its result;
// running it again changes nothing. It stops, without changing anything, where the administrator must decide
// (a role of that name with other privileges, a disabled application user). Errors are Dataverse's own
// (DataverseError); what they mean for the administrator is lib/onboarding's business.
import { depthReaches, PRIVILEGE_DEPTHS, type PrivilegeDepth, type RequiredPrivilege } from "@/lib/checks/vocabulary";
import { DataverseError, getAllPages, sendJson } from "@/lib/dataverse/web-api";

export type SetupAction = "role" | "privileges" | "application-user" | "assignment";
export type SetupStepResult = "created" | "changed" | "unchanged" | "needs-decision";
export type SetupStep = { action: SetupAction; result: SetupStepResult; detail: string };

export type RoleDifference = { missing: RequiredPrivilege[]; extra: RequiredPrivilege[] };
export type SetupDecision = ({ kind: "role-differs" } & RoleDifference) | { kind: "user-disabled" };
export type Approval = "change-role" | "enable-user";

export type ProvisioningResult = {
  steps: SetupStep[];
  roleId: string | null;
  applicationUserId: string | null;
  /** Privileges added to (or removed from) the role, for the audit trail. */
  privilegesAdded: RequiredPrivilege[];
  privilegesRemoved: RequiredPrivilege[];
  decision: SetupDecision | null;
};

export class ProvisioningFailure extends Error {
  constructor(
    readonly action: SetupAction,
    readonly reason: DataverseError | Error,
    readonly partial: ProvisioningResult,
  ) {
    super(`${action}: ${reason.message}`);
    this.name = "ProvisioningFailure";
  }
}

/** The one role the portal must never hand out (docs/protocol/pitfalls.md: least privilege). */
export const SYSTEM_ADMINISTRATOR = "system administrator";

const odataString = (value: string) => `'${value.replaceAll("'", "''")}'`;
const depthOf = (value: unknown): PrivilegeDepth | null =>
  typeof value === "number" ? (PRIVILEGE_DEPTHS[value] ?? null) : (PRIVILEGE_DEPTHS.find((d) => d === value) ?? null);

type Api = ((
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
) => Promise<{ body: unknown; entityId: string | null }>) & {
  /** Every row of a collection query, page after page (docs/protocol/dataverse.md "Paging"). */
  list<T>(path: string): Promise<T[]>;
};

function idFromEntityId(entityId: string | null, set: string): string {
  const id = entityId ? new RegExp(`${set}\\(([0-9a-fA-F-]{36})\\)`).exec(entityId)?.[1] : undefined;
  if (!id) throw new Error(`Dataverse created the ${set} record but did not say its id.`);
  return id.toLowerCase();
}

/** Compares a role's privileges with the required ones: what is missing (or too shallow), what is extra (or too deep). */
export function compareRolePrivileges(held: RequiredPrivilege[], required: RequiredPrivilege[]): RoleDifference {
  const key = (name: string) => name.toLowerCase();
  const heldByName = new Map(held.map((p) => [key(p.name), p]));
  const requiredByName = new Map(required.map((p) => [key(p.name), p]));
  const missing = required.filter((r) => {
    const h = heldByName.get(key(r.name));
    return !h || !depthReaches(h.depth, r.depth);
  });
  const extra = held
    .filter((h) => {
      const r = requiredByName.get(key(h.name));
      return !r || (h.depth !== r.depth && depthReaches(h.depth, r.depth));
    })
    .map(({ name, depth }) => ({ name, depth }));
  return { missing, extra };
}

export async function provisionEnvironment(input: {
  environmentUrl: string;
  accessToken: string;
  applicationId: string;
  roleName: string;
  privileges: RequiredPrivilege[];
  approvals: Approval[];
  /** Called before each request that Dataverse throttled, with the seconds it asked to wait. */
  waitForRetry?: (seconds: number) => Promise<void>;
}): Promise<ProvisioningResult> {
  if (input.roleName.trim().toLowerCase() === SYSTEM_ADMINISTRATOR)
    throw new Error("The portal never assigns System Administrator.");
  const result: ProvisioningResult = {
    steps: [],
    roleId: null,
    applicationUserId: null,
    privilegesAdded: [],
    privilegesRemoved: [],
    decision: null,
  };
  const retry = async <R>(request: () => Promise<R>): Promise<R> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        // Service protection limits: honour Retry-After a few times when the wait is short.
        const wait = error instanceof DataverseError && error.status === 429 ? (error.retryAfterSeconds ?? 5) : null;
        if (wait === null || wait > 30 || attempt >= 3 || !input.waitForRetry) throw error;
        await input.waitForRetry(wait);
      }
    }
  };
  const api: Api = Object.assign(
    (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown) =>
      retry(() => sendJson(input.environmentUrl, input.accessToken, method, path, body)),
    {
      list: <T>(path: string) => getAllPages<T>(input.environmentUrl, input.accessToken, path, { retry }),
    },
  );
  let action: SetupAction = "role";
  try {
    const root = (
      await api.list<{ businessunitid: string }>(
        "businessunits?$select=businessunitid&$filter=_parentbusinessunitid_value eq null",
      )
    )[0];
    if (!root) throw new Error("Dataverse did not show the environment's root business unit.");
    const rootId = root.businessunitid.toLowerCase();

    // 1. The role, in the root business unit.
    const existing = (
      await api.list<{ roleid: string }>(
        `roles?$select=roleid,name&$filter=name eq ${odataString(input.roleName)} and _businessunitid_value eq ${rootId}`,
      )
    )[0];
    action = "privileges";
    const privilegeIds = await privilegeIdsByName(
      api,
      input.privileges.map((p) => p.name),
    );
    if (!existing) {
      action = "role";
      const created = await api("POST", "roles", {
        name: input.roleName,
        "businessunitid@odata.bind": `/businessunits(${rootId})`,
      });
      result.roleId = idFromEntityId(created.entityId, "roles");
      result.steps.push({
        action: "role",
        result: "created",
        detail: `Created the security role “${input.roleName}” in the root business unit.`,
      });
      action = "privileges";
      await addPrivileges(api, result.roleId, input.privileges, privilegeIds);
      result.privilegesAdded = [...input.privileges];
      result.steps.push({
        action: "privileges",
        result: "changed",
        detail: `Gave the role ${input.privileges.length} privileges, each at the least level that works.`,
      });
    } else {
      result.roleId = existing.roleid.toLowerCase();
      result.steps.push({
        action: "role",
        result: "unchanged",
        detail: `The security role “${input.roleName}” already exists.`,
      });
      const held = await rolePrivileges(api, result.roleId);
      const difference = compareRolePrivileges(held, input.privileges);
      if (difference.missing.length === 0 && difference.extra.length === 0) {
        result.steps.push({
          action: "privileges",
          result: "unchanged",
          detail: "Its privileges are exactly the ones needed.",
        });
      } else if (!input.approvals.includes("change-role")) {
        result.decision = { kind: "role-differs", ...difference };
        result.steps.push({
          action: "privileges",
          result: "needs-decision",
          detail: "Its privileges differ from the ones needed. Nothing was changed.",
        });
        return result;
      } else {
        // The role's own answer names each privilege's id: no second lookup for the ones to remove.
        const heldIds = new Map(held.map((p) => [p.name.toLowerCase(), p.id]));
        for (const extra of difference.extra) {
          await api("POST", `roles(${result.roleId})/Microsoft.Dynamics.CRM.RemovePrivilegeRole`, {
            PrivilegeId: heldIds.get(extra.name.toLowerCase()),
          });
        }
        // A privilege held too deep was removed above; it comes back at the required level with the missing ones.
        const toAdd = input.privileges.filter(
          (p) =>
            difference.missing.some((m) => m.name.toLowerCase() === p.name.toLowerCase()) ||
            difference.extra.some((e) => e.name.toLowerCase() === p.name.toLowerCase()),
        );
        await addPrivileges(api, result.roleId, toAdd, privilegeIds);
        result.privilegesAdded = toAdd;
        result.privilegesRemoved = difference.extra;
        result.steps.push({
          action: "privileges",
          result: "changed",
          detail: `Changed its privileges as you approved: ${toAdd.length} added or corrected, ${difference.extra.length} removed.`,
        });
      }
    }

    // 2. The application user.
    action = "application-user";
    const user = (
      await api.list<{ systemuserid: string; isdisabled: boolean }>(
        `systemusers?$select=systemuserid,isdisabled&$filter=applicationid eq ${input.applicationId}`,
      )
    )[0];
    if (!user) {
      const created = await api("POST", "systemusers", {
        applicationid: input.applicationId,
        "businessunitid@odata.bind": `/businessunits(${rootId})`,
      });
      result.applicationUserId = idFromEntityId(created.entityId, "systemusers");
      result.steps.push({
        action: "application-user",
        result: "created",
        detail: "Created the application user in the root business unit.",
      });
    } else {
      result.applicationUserId = user.systemuserid.toLowerCase();
      if (user.isdisabled && !input.approvals.includes("enable-user")) {
        result.decision = { kind: "user-disabled" };
        result.steps.push({
          action: "application-user",
          result: "needs-decision",
          detail: "The application user exists but is disabled. Nothing was changed.",
        });
        return result;
      }
      if (user.isdisabled) {
        await api("PATCH", `systemusers(${result.applicationUserId})`, { isdisabled: false });
        result.steps.push({
          action: "application-user",
          result: "changed",
          detail: "Enabled the application user, as you approved.",
        });
      } else {
        result.steps.push({
          action: "application-user",
          result: "unchanged",
          detail: "The application user already exists and is enabled.",
        });
      }
    }

    // 3. The assignment: only this role, never System Administrator.
    action = "assignment";
    const held = await api.list<{ roleid: string }>(
      `systemusers(${result.applicationUserId})/systemuserroles_association?$select=roleid,name`,
    );
    if (held.some((r) => r.roleid.toLowerCase() === result.roleId)) {
      result.steps.push({
        action: "assignment",
        result: "unchanged",
        detail: "The application user already holds the role.",
      });
    } else {
      await api("POST", `systemusers(${result.applicationUserId})/systemuserroles_association/$ref`, {
        "@odata.id": `${input.environmentUrl}/api/data/v9.2/roles(${result.roleId})`,
      });
      result.steps.push({
        action: "assignment",
        result: "created",
        detail: `Assigned “${input.roleName}” to the application user.`,
      });
    }
    return result;
  } catch (error) {
    throw new ProvisioningFailure(action, error instanceof Error ? error : new Error(String(error)), result);
  }
}

async function privilegeIdsByName(api: Api, names: string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const filter = names.map((n) => `name eq ${odataString(n)}`).join(" or ");
  const rows = await api.list<{ privilegeid: string; name: string }>(
    `privileges?$select=privilegeid,name&$filter=${encodeURIComponent(filter)}`,
  );
  const ids = new Map(rows.map((r) => [r.name.toLowerCase(), r.privilegeid]));
  const unknown = names.filter((n) => !ids.has(n.toLowerCase()));
  if (unknown.length > 0) throw new Error(`This environment has no privilege named ${unknown.join(", ")}.`);
  return ids;
}

async function addPrivileges(
  api: Api,
  roleId: string,
  privileges: RequiredPrivilege[],
  ids: Map<string, string>,
): Promise<void> {
  if (privileges.length === 0) return;
  await api("POST", `roles(${roleId})/Microsoft.Dynamics.CRM.AddPrivilegesRole`, {
    // Depth as the PrivilegeDepth member name, as the Web API serialises enums.
    Privileges: privileges.map((p) => ({ PrivilegeId: ids.get(p.name.toLowerCase()), Depth: p.depth })),
  });
}

async function rolePrivileges(api: Api, roleId: string): Promise<(RequiredPrivilege & { id: string })[]> {
  const body = (await api("GET", `RetrieveRolePrivilegesRole(RoleId=@p)?@p=${roleId}`)).body as {
    RolePrivileges?: { PrivilegeName?: string; PrivilegeId?: string; Depth?: unknown }[];
  } | null;
  return (body?.RolePrivileges ?? []).flatMap((p) => {
    const depth = depthOf(p.Depth);
    return p.PrivilegeName && p.PrivilegeId && depth ? [{ name: p.PrivilegeName, id: p.PrivilegeId, depth }] : [];
  });
}
