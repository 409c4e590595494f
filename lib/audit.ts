import "server-only";

// The audit trail: one row per state change, written in the same transaction as the change when there is one.
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";

export type Actor =
  | { kind: "CUSTOMER" | "STAFF"; tenantId: string; objectId: string; name: string | null }
  | { kind: "SYSTEM"; name?: string };

export type AuditInput = {
  actor: Actor;
  /** The customer tenant the event concerns, if any. */
  tenantId: string | null;
  action: string;
  target?: { type: string; id: string };
  details?: Prisma.InputJsonValue;
};

type AuditWriter = Pick<Prisma.TransactionClient, "auditEvent">;

export async function audit(event: AuditInput, tx: AuditWriter = db()): Promise<void> {
  const { actor } = event;
  await tx.auditEvent.create({
    data: {
      tenantId: event.tenantId,
      actorKind: actor.kind,
      actorTenantId: actor.kind === "SYSTEM" ? null : actor.tenantId,
      actorObjectId: actor.kind === "SYSTEM" ? null : actor.objectId,
      actorName: actor.kind === "SYSTEM" ? (actor.name ?? "system") : actor.name,
      action: event.action,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      details: event.details,
    },
  });
}
