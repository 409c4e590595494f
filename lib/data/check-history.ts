import "server-only";

// What a check history keeps. Scheduled re-verification adds a check per environment every interval (hourly by
// default), so a plain "newest N" would soon hold only scheduled runs and push out what people ran — the customer's
// own setup check, a support engineer's re-run. The history therefore keeps the newest N of each kind, side by side.
import type { CheckTrigger } from "@/lib/generated/prisma/client";

/** Checks a person started: the customer (a check or "Set it up for me"), or support staff (a re-run). */
export const PERSON_TRIGGERS = ["CUSTOMER", "STAFF"] as const satisfies readonly CheckTrigger[];
/** Checks the portal ran on its own. */
export const AUTOMATIC_TRIGGERS = ["SCHEDULED", "SYSTEM"] as const satisfies readonly CheckTrigger[];

/** How many checks of each kind a history keeps. */
export const CHECK_HISTORY_KEEP = 10;

/** The person-run and the automatic checks (each already newest first, at most N) as one history, newest first. */
export function mergeHistories<T extends { id: string; startedAt: Date }>(person: T[], automatic: T[]): T[] {
  return [...person, ...automatic].sort(
    (a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}
