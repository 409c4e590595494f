import { createHash, randomUUID } from "node:crypto";

/** 8-4-4-4-12 hex, any version (Entra and Dataverse ids are not all RFC 4122 v4). */
const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value);
}

export function randomGuid(): string {
  return randomUUID();
}

/**
 * A GUID derived from a namespace and a name (UUID v5 layout over SHA-1), so that scenarios built
 * from names get the same ids in every run and in the README.
 */
export function stableGuid(namespace: string, name: string): string {
  const hash = createHash("sha1").update(`${namespace}\u0000${name}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function sameGuid(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}
