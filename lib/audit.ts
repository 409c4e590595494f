import "server-only";

// The audit trail: one row per state change, written in the same transaction as the change when there is one.
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";

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

/** An event as its audit row's columns (every writer below goes through here). */
function auditColumns(event: AuditInput) {
  const { actor } = event;
  return {
    tenantId: event.tenantId,
    actorKind: actor.kind,
    actorTenantId: actor.kind === "SYSTEM" ? null : actor.tenantId,
    actorObjectId: actor.kind === "SYSTEM" ? null : actor.objectId,
    actorName: actor.kind === "SYSTEM" ? (actor.name ?? "system") : actor.name,
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    details: event.details,
  };
}

export async function audit(event: AuditInput, tx: AuditWriter = db()): Promise<void> {
  await tx.auditEvent.create({ data: auditColumns(event) });
}

/**
 * Audit rows written by the same raw statement as their change (lib/data/checks.ts, a check's end: one statement
 * instead of one per row): `events` with their ids, in order, as an INSERT … SELECT from a JSON array, to be used as
 * a data-modifying WITH clause. `onlyIf` (SQL) makes the rows conditional on the statement's own result.
 */
export function insertAuditRows(
  events: Array<{ id: string; event: AuditInput }>,
  createdAt: Date,
  onlyIf: Prisma.Sql = Prisma.sql`true`,
): Prisma.Sql {
  const rows = JSON.stringify(events.map(({ id, event }) => ({ id, ...auditColumns(event) })));
  return Prisma.sql`
    INSERT INTO "AuditEvent" ("id", "tenantId", "actorKind", "actorTenantId", "actorObjectId", "actorName", "action", "targetType", "targetId", "details", "createdAt")
    SELECT r."id", r."tenantId", r."actorKind"::"ActorKind", r."actorTenantId", r."actorObjectId", r."actorName", r."action", r."targetType", r."targetId", r."details", ${createdAt}
    FROM jsonb_to_recordset(${rows}::jsonb) AS r("id" uuid, "tenantId" uuid, "actorKind" text, "actorTenantId" uuid, "actorObjectId" uuid,
      "actorName" text, "action" text, "targetType" text, "targetId" text, "details" jsonb)
    WHERE ${onlyIf}`;
}
