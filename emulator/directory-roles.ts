/**
 * Directory role template ids (the `wids` claim). Reference A2, "Role template IDs".
 */
export const DirectoryRole = {
  GlobalAdministrator: "62e90394-69f5-4237-9190-012177145e10",
  PrivilegedRoleAdministrator: "e8611ab8-c189-46e8-94e1-60213ab1f814",
  CloudApplicationAdministrator: "158c047a-c907-4556-b7ef-446551a6b5f7",
  /** [U] in the reference (only the suffix was verified). */
  ApplicationAdministrator: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
  PowerPlatformAdministrator: "11648597-926c-4cf3-9c36-bcebb0ba8dcc",
  Dynamics365Administrator: "44367163-eba1-44c3-98af-f5787879f96a",
} as const;

/** Every member user carries this template id in `wids` (the "User" role). */
export const MEMBER_USER_ROLE = "b79fbf4d-3ef9-4689-8143-76b194e85509";

/** Personal Microsoft accounts sign in to this tenant (docs/protocol/entra.md A1/A2). */
export const CONSUMER_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

/** Roles allowed to grant tenant-wide admin consent ([U] beyond Global Administrator; configurable in settings). */
export const DEFAULT_CONSENT_ADMIN_ROLES: string[] = [
  DirectoryRole.GlobalAdministrator,
  DirectoryRole.PrivilegedRoleAdministrator,
  DirectoryRole.CloudApplicationAdministrator,
  DirectoryRole.ApplicationAdministrator,
];
