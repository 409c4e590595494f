/**
 * Dataverse's own authorization (docs/protocol/entra.md A3.3, B4, B6): the caller is the systemuser matching
 * the token (application user by `appid`, a person by `oid`); its security roles give privileges
 * with a depth (Basic = own records, Local = own business unit, Deep = BU and children, Global).
 */
import { failDataverse } from "../errors";
import { sameGuid } from "../guid";
import type { Environment, SystemUser, Tenant } from "../scenario";
import { ALL_PRIVILEGE_NAMES, privilegeId } from "./privileges";
import type { PrivilegeDepth, PrivilegeVerb } from "./privileges";

export interface TokenIdentity {
  tid: string;
  oid: string;
  appid: string;
  /** `idtyp` app, or no `scp` → an application (client credentials) token. */
  isApp: boolean;
}

/** The systemuser a token acts as; 403 0x80072560 when there is none, 403 when disabled. */
export function resolveCaller(env: Environment, identity: TokenIdentity): SystemUser {
  const user = identity.isApp
    ? env.systemUsers.find((u) => sameGuid(u.applicationId, identity.appid))
    : env.systemUsers.find((u) => sameGuid(u.azureAdObjectId, identity.oid) && !u.applicationId);
  if (!user) return failDataverse("notMember");
  if (user.isDisabled)
    return failDataverse("userDisabled", { systemUserId: user.id, organizationId: env.organizationId });
  return user;
}

/** Whether a person may use the environment: no security group, or a member of it. */
export function mayUseEnvironment(env: Environment, tenant: Tenant | undefined, oid: string): boolean {
  if (!env.securityGroupId) return true;
  const group = tenant?.groups.find((g) => sameGuid(g.id, env.securityGroupId));
  return group?.memberOids.some((member) => sameGuid(member, oid)) ?? false;
}

/** Roles that may use an environment in administration mode. */
const ADMINISTRATION_MODE_ROLES = ["system administrator", "system customizer"];

/**
 * The caller, admitted to the environment: resolved as above, then refused when the environment is in
 * administration mode and the caller holds neither System Administrator nor System Customizer, or when a
 * person is outside the environment's security group (application users are exempt from the group:
 * docs/protocol/dataverse.md "Security group").
 */
export function admitCaller(env: Environment, identity: TokenIdentity, tenant: Tenant | undefined): SystemUser {
  const user = resolveCaller(env, identity);
  if (!user.applicationId && !mayUseEnvironment(env, tenant, identity.oid)) return failDataverse("notInSecurityGroup");
  if (env.administrationMode) {
    const names = user.roleIds.map((id) => env.roles.find((r) => sameGuid(r.id, id))?.name.toLowerCase() ?? "");
    if (!names.some((n) => ADMINISTRATION_MODE_ROLES.includes(n)))
      return failDataverse("administrationMode", { organizationId: env.organizationId });
  }
  return user;
}

const DEPTH_RANK: Record<PrivilegeDepth, number> = { Basic: 0, Local: 1, Deep: 2, Global: 3 };

/** Effective privileges of a user: privilege name (lower case) → deepest depth over all roles. */
export function effectivePrivileges(
  env: Environment,
  user: SystemUser,
): Map<string, { name: string; depth: PrivilegeDepth; businessUnitId: string }> {
  const result = new Map<string, { name: string; depth: PrivilegeDepth; businessUnitId: string }>();
  const add = (name: string, depth: PrivilegeDepth, businessUnitId: string) => {
    const key = name.toLowerCase();
    const existing = result.get(key);
    if (!existing || DEPTH_RANK[depth] > DEPTH_RANK[existing.depth]) result.set(key, { name, depth, businessUnitId });
  };
  for (const roleId of user.roleIds) {
    const role = env.roles.find((r) => sameGuid(r.id, roleId));
    if (!role) continue;
    if (role.allPrivileges) for (const name of ALL_PRIVILEGE_NAMES) add(name, "Global", role.businessUnitId);
    for (const p of role.privileges) add(p.name, p.depth, role.businessUnitId);
  }
  return result;
}

/** Object type codes used in privilege messages. */
export const OBJECT_TYPE_CODES: Record<string, number> = {
  account: 1,
  contact: 2,
  systemuser: 8,
  businessunit: 10,
  role: 1036,
};

/**
 * Requires `prv<Verb><Entity>`; returns its depth or throws the documented 403 0x80040220
 * ("Principal user (Id=…, type=8, roleCount=N, privilegeCount=M, accessMode=A), is missing
 * prvReadaccount privilege …").
 */
export function requirePrivilege(
  env: Environment,
  user: SystemUser,
  verb: PrivilegeVerb,
  entityLogicalName: string,
  privilegeNameForEntity: string,
): PrivilegeDepth {
  const privileges = effectivePrivileges(env, user);
  const held = privileges.get(privilegeNameForEntity.toLowerCase());
  if (held) return held.depth;
  // The message spells the privilege with the entity's logical name (prvReadaccount).
  const messageName = ["account", "contact"].includes(entityLogicalName)
    ? `prv${verb}${entityLogicalName}`
    : privilegeNameForEntity;
  return failDataverse("missingPrivilege", {
    systemUserId: user.id,
    roleCount: user.roleIds.length,
    privilegeCount: privileges.size,
    accessMode: user.accessMode,
    privilegeName: messageName,
    privilegeId: privilegeId(privilegeNameForEntity),
    otc: OBJECT_TYPE_CODES[entityLogicalName] ?? 0,
    entity: entityLogicalName,
  });
}

function businessUnitSubtree(env: Environment, rootId: string): Set<string> {
  const ids = new Set<string>([rootId.toLowerCase()]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const bu of env.businessUnits) {
      if (bu.parentId && ids.has(bu.parentId.toLowerCase()) && !ids.has(bu.id.toLowerCase())) {
        ids.add(bu.id.toLowerCase());
        grew = true;
      }
    }
  }
  return ids;
}

/** Whether a privilege at `depth` reaches a record owned by `ownerId` (in `owningBusinessUnitId`). */
export function depthAllows(
  env: Environment,
  caller: SystemUser,
  depth: PrivilegeDepth,
  ownerId: string | null,
  owningBusinessUnitId: string | null,
): boolean {
  if (depth === "Global") return true;
  if (depth === "Basic") return sameGuid(ownerId, caller.id);
  if (!owningBusinessUnitId) return false;
  if (depth === "Local") return sameGuid(owningBusinessUnitId, caller.businessUnitId);
  return businessUnitSubtree(env, caller.businessUnitId).has(owningBusinessUnitId.toLowerCase());
}

export function rolePrivilegesResponse(
  env: Environment,
  user: SystemUser,
): {
  Depth: PrivilegeDepth;
  PrivilegeId: string;
  BusinessUnitId: string;
  PrivilegeName: string;
  RecordFilterId: null;
  RecordFilterUniqueName: null;
}[] {
  return [...effectivePrivileges(env, user).values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => ({
      Depth: p.depth,
      PrivilegeId: privilegeId(p.name),
      BusinessUnitId: p.businessUnitId,
      PrivilegeName: p.name,
      RecordFilterId: null,
      RecordFilterUniqueName: null,
    }));
}
