import { stableGuid } from "../guid";

/**
 * The Dataverse privileges the emulator knows. Names follow Dataverse (`prv<Verb><Entity>`); ids are
 * derived from the name so they are stable (the real ids are per-org constants we do not need).
 */
export const PRIVILEGE_VERBS = ["Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share"] as const;
export type PrivilegeVerb = (typeof PRIVILEGE_VERBS)[number];

/** Entity → the name used inside privilege names (systemuser's privileges are `prv…User`). */
export const PRIVILEGE_ENTITY_NAMES: Record<string, string> = {
  account: "Account",
  contact: "Contact",
  systemuser: "User",
  role: "Role",
  businessunit: "BusinessUnit",
};

export const PRIVILEGE_DEPTHS = ["Basic", "Local", "Deep", "Global"] as const;
export type PrivilegeDepth = (typeof PRIVILEGE_DEPTHS)[number];

export function privilegeName(verb: PrivilegeVerb, entityLogicalName: string): string {
  const entityPart = PRIVILEGE_ENTITY_NAMES[entityLogicalName] ?? entityLogicalName;
  return `prv${verb}${entityPart}`;
}

export function privilegeId(name: string): string {
  return stableGuid("dataverse-privilege", name.toLowerCase());
}

export const ALL_PRIVILEGE_NAMES: string[] = Object.keys(PRIVILEGE_ENTITY_NAMES).flatMap((entity) =>
  PRIVILEGE_VERBS.map((verb) => privilegeName(verb, entity)),
);

/**
 * The least-privilege role the ISV ships: read/write/create accounts and contacts across the organisation,
 * and reading its own application user and roles at business-unit level (what the connection check needs).
 */
export const INTEGRATION_ROLE_PRIVILEGES: { name: string; depth: PrivilegeDepth }[] = [
  { name: "prvReadAccount", depth: "Global" },
  { name: "prvWriteAccount", depth: "Global" },
  { name: "prvCreateAccount", depth: "Global" },
  { name: "prvReadContact", depth: "Global" },
  { name: "prvWriteContact", depth: "Global" },
  { name: "prvCreateContact", depth: "Global" },
  { name: "prvReadUser", depth: "Local" },
  { name: "prvReadRole", depth: "Local" },
];

/** What "Basic User" roughly grants: own-record access to accounts/contacts and reading users. */
export const BASIC_USER_PRIVILEGES: { name: string; depth: PrivilegeDepth }[] = [
  { name: "prvReadAccount", depth: "Local" },
  { name: "prvCreateAccount", depth: "Basic" },
  { name: "prvWriteAccount", depth: "Basic" },
  { name: "prvReadContact", depth: "Local" },
  { name: "prvCreateContact", depth: "Basic" },
  { name: "prvWriteContact", depth: "Basic" },
  { name: "prvReadUser", depth: "Global" },
  { name: "prvReadBusinessUnit", depth: "Global" },
  { name: "prvReadRole", depth: "Global" },
];

/**
 * What "System Customizer" roughly grants here: customizing (security roles included) and reading users and
 * business units, but neither creating users nor assigning roles, which stay with System Administrator.
 */
export const SYSTEM_CUSTOMIZER_PRIVILEGES: { name: string; depth: PrivilegeDepth }[] = [
  { name: "prvCreateRole", depth: "Global" },
  { name: "prvReadRole", depth: "Global" },
  { name: "prvWriteRole", depth: "Global" },
  { name: "prvDeleteRole", depth: "Global" },
  { name: "prvReadUser", depth: "Global" },
  { name: "prvReadBusinessUnit", depth: "Global" },
  { name: "prvReadAccount", depth: "Basic" },
  { name: "prvReadContact", depth: "Basic" },
];
