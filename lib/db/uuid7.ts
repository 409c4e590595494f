import "server-only";

// UUIDv7 (RFC 9562) for rows inserted by raw SQL, the same kind Prisma's `@default(uuid(7))` gives: time-ordered,
// so rows written this way sort among Prisma's own by their id.
import { randomBytes } from "node:crypto";
import { Prisma } from "@/lib/generated/prisma/client";

export function uuidv7(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The same, made by the database for rows a statement inserts per row it found (PostgreSQL 15 has no uuidv7()):
 * a random (version 4) UUID with the time in its first 48 bits and the version nibble set to 7; the variant bits
 * of version 4 are those of version 7.
 */
export function uuidv7Sql(now = Date.now()): Prisma.Sql {
  return Prisma.sql`overlay(overlay(replace(gen_random_uuid()::text, '-', '') placing lpad(to_hex(${now}::bigint), 12, '0') from 1 for 12) placing '7' from 13 for 1)::uuid`;
}
