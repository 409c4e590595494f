// Choices of the invitation form, shared by the form (client) and its server action. No server-only import.

/** How long a new invitation link stays usable, in days. */
export const INVITATION_EXPIRY_DAYS = [1, 7, 14, 30] as const;
export const DEFAULT_INVITATION_EXPIRY_DAYS = 7;
