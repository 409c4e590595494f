// Who in a customer's tenant may change its connection: the holders of the directory roles that can grant
// tenant-wide admin consent. Read from the ID token's `wids` claim (directory role template ids), emitted when
// the app registration's groupMembershipClaims includes directory roles (docs/protocol/entra.md A2, "wids").
// Pure and free of secrets: the sign-in policy, the guards and the pages' wording all use it.

/** Directory role template ids, with the names the Entra admin center shows. */
export const DIRECTORY_ROLE_NAMES: Record<string, string> = {
  "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
  "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
  "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
  "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
};

/** The default administrators: the roles Microsoft documents as able to grant tenant-wide admin consent. */
export const DEFAULT_CUSTOMER_ADMIN_ROLE_IDS: readonly string[] = Object.keys(DIRECTORY_ROLE_NAMES);

export function widsOf(claims: Readonly<Record<string, unknown>>): string[] {
  return Array.isArray(claims.wids)
    ? claims.wids.filter((w): w is string => typeof w === "string").map((w) => w.toLowerCase())
    : [];
}

export function isTenantAdministrator(wids: readonly string[], adminRoleIds: readonly string[]): boolean {
  const admin = new Set(adminRoleIds.map((id) => id.toLowerCase()));
  return wids.some((w) => admin.has(w.toLowerCase()));
}

/** "a Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator". */
export function describeAdministrators(adminRoleIds: readonly string[]): string {
  const names = adminRoleIds.map((id) => DIRECTORY_ROLE_NAMES[id.toLowerCase()] ?? `directory role ${id}`);
  if (names.length <= 1) return `a ${names[0] ?? "Global Administrator"}`;
  return `a ${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}
