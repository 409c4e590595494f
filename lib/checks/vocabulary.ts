// The connection check's vocabulary: its steps in order, what customers and staff call them, and Dataverse's
// privilege depths in the words of the Power Platform admin center. The one owner of these words: pages,
// the console, its filters and charts, the seed and the tests import them from here.
//
// No `server-only`: client components (the live progress) render these labels too. Nothing here is secret.

export const CHECK_STEPS = [
  "token",
  "whoami",
  "application-user",
  "roles",
  "least-privilege",
  "privileges",
  "sample-read",
] as const;
export type CheckStepName = (typeof CHECK_STEPS)[number];

export function isCheckStep(value: string): value is CheckStepName {
  return (CHECK_STEPS as readonly string[]).includes(value);
}

export function stepOrdinal(name: CheckStepName): number {
  return CHECK_STEPS.indexOf(name);
}

/** What the customer admin reads for each step (the role name is the vendor's configured one). */
export function customerStepLabel(name: string, roleName: string): string {
  switch (name) {
    case "token":
      return "Token from Microsoft Entra ID for your tenant";
    case "whoami":
      return "Dataverse accepts the app's token";
    case "application-user":
      return "Application user found, enabled and non-interactive";
    case "roles":
      return `Security role “${roleName}”`;
    case "least-privilege":
      return "No more access than needed (no System Administrator)";
    case "privileges":
      return "Required privileges";
    case "sample-read":
      return "Sample read: first 3 accounts by name";
    default:
      return name;
  }
}

/** Short names for staff views, charts and filters. */
export const STAFF_STEP_LABELS: Record<CheckStepName, string> = {
  token: "Token",
  whoami: "WhoAmI",
  "application-user": "Application user",
  roles: "Security role",
  "least-privilege": "Least privilege",
  privileges: "Privileges",
  "sample-read": "Sample read",
};

export function staffStepLabel(name: string): string {
  return isCheckStep(name) ? STAFF_STEP_LABELS[name] : name;
}

/** Dataverse's privilege depths (RetrieveUserPrivileges' `Depth`), weakest first. */
export const PRIVILEGE_DEPTHS = ["Basic", "Local", "Deep", "Global"] as const;
export type PrivilegeDepth = (typeof PRIVILEGE_DEPTHS)[number];

/** The admin center's names for the depths (docs/protocol/dataverse.md "Privilege depths"). */
export const DEPTH_LABELS: Record<PrivilegeDepth, string> = {
  Basic: "User",
  Local: "Business Unit",
  Deep: "Parent: Child Business Units",
  Global: "Organization",
};

export function depthReaches(held: PrivilegeDepth, required: PrivilegeDepth): boolean {
  return PRIVILEGE_DEPTHS.indexOf(held) >= PRIVILEGE_DEPTHS.indexOf(required);
}

export type RequiredPrivilege = { name: string; depth: PrivilegeDepth };

/** "prvReadUser (Business Unit level)". */
export function describePrivilege(p: RequiredPrivilege): string {
  return `${p.name} (${DEPTH_LABELS[p.depth]} level)`;
}

/** Table names as the admin center's security role editor shows them. */
const ROLE_EDITOR_TABLES: Record<string, string> = {
  Account: "Account",
  Contact: "Contact",
  User: "User",
  Role: "Security Role",
  BusinessUnit: "Business Unit",
};

/**
 * A privilege as the admin center's role editor shows it: table, access (Create, Read, Write…) and level —
 * "prvReadUser" at Local depth is User → Read → Business Unit.
 */
export function privilegeInRoleEditor(p: RequiredPrivilege): { table: string; access: string; level: string } {
  const match = /^prv(Create|Read|Write|Delete|AppendTo|Append|Assign|Share)(.+)$/.exec(p.name);
  const access = match?.[1] === "AppendTo" ? "Append To" : (match?.[1] ?? p.name);
  return {
    table: match?.[2] ? (ROLE_EDITOR_TABLES[match[2]] ?? match[2]) : p.name,
    access,
    level: DEPTH_LABELS[p.depth],
  };
}

/** Why a step did not run, in the customer's words, by the step whose failure stopped it. */
export function skipReason(blockingStep: CheckStepName | "unexpected"): string {
  switch (blockingStep) {
    case "token":
      return "Not checked until the app can get a token for your tenant.";
    case "whoami":
      return "Not checked until Dataverse accepts the app's token.";
    case "application-user":
      return "Not checked until the application user is fixed.";
    case "roles":
      return "Not checked until the security role is fixed.";
    case "privileges":
      return "Not checked until the privileges are fixed.";
    case "unexpected":
      return "Not checked: the check stopped early.";
    default:
      return "Not checked.";
  }
}

/** The tables of the privileges, in plain words (plural, lower case). */
const PLAIN_TABLES: Record<string, string> = {
  Account: "accounts",
  Contact: "contacts",
  User: "users",
  Role: "security roles",
  BusinessUnit: "business units",
};

/** How far a privilege reaches, in plain words. */
export const PLAIN_DEPTHS: Record<PrivilegeDepth, string> = {
  Basic: "own records only",
  Local: "own business unit",
  Deep: "own business unit and the units below it",
  Global: "whole organisation",
};

const PLAIN_ACCESS_ORDER = ["Read", "Write", "Create", "Delete", "Append", "AppendTo", "Assign", "Share"];
const PLAIN_ACCESS: Record<string, string> = { AppendTo: "append to" };

/**
 * The privileges in a person's words, one line per table and level, e.g. "Read, write and create accounts (whole
 * organisation)" for prvReadAccount, prvWriteAccount and prvCreateAccount at Global depth.
 */
export function plainPrivileges(privileges: RequiredPrivilege[]): string[] {
  const groups = new Map<string, { table: string; depth: PrivilegeDepth; access: string[] }>();
  for (const p of privileges) {
    const match = /^prv(Create|Read|Write|Delete|AppendTo|Append|Assign|Share)(.+)$/.exec(p.name);
    if (!match) {
      groups.set(`${p.name}|${p.depth}`, { table: p.name, depth: p.depth, access: [] });
      continue;
    }
    const table = PLAIN_TABLES[match[2]!] ?? match[2]!.toLowerCase();
    const key = `${table}|${p.depth}`;
    const group = groups.get(key) ?? { table, depth: p.depth, access: [] };
    group.access.push(match[1]!);
    groups.set(key, group);
  }
  const list = new Intl.ListFormat("en-GB", { type: "conjunction" });
  return [...groups.values()].map(({ table, depth, access }) => {
    const verbs = [...access]
      .sort((a, b) => PLAIN_ACCESS_ORDER.indexOf(a) - PLAIN_ACCESS_ORDER.indexOf(b))
      .map((a) => PLAIN_ACCESS[a] ?? a.toLowerCase());
    const phrase = verbs.length ? `${list.format(verbs)} ${table}` : table;
    return `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)} (${PLAIN_DEPTHS[depth]})`;
  });
}
