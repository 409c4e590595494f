import "server-only";

import { createHash, randomBytes } from "node:crypto";

/** An unguessable token for links and OAuth `state`; only its hash is stored. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
