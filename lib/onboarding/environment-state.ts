import "server-only";

// What an environment's page leads with: its state in one word, the last time the connection was proven, which
// action fixes it, and whether an earlier "Set it up for me" run is still news or already history.
import { consentFixes, setupFixes } from "@/lib/checks/diagnoses";
import type { CheckOutcome } from "@/lib/generated/prisma/client";

export type EnvironmentStateKind = "new" | "healthy" | "warning" | "failing";

export type EnvironmentFacts = {
  latestCheckOutcome: CheckOutcome | null;
  latestCheckAt: Date | null;
  lastVerifiedAt: Date | null;
  healthCauseId: string | null;
};

export function environmentState(env: EnvironmentFacts): EnvironmentStateKind {
  switch (env.latestCheckOutcome) {
    case "PASSED":
      return "healthy";
    case "WARNING":
      return "warning";
    case "FAILED":
      return "failing";
    default:
      return "new";
  }
}

/** When the connection last worked: the last passing (or only warning) check's start. */
export function lastWorkedAt(env: EnvironmentFacts): Date | null {
  const latestWorked =
    env.latestCheckAt && (env.latestCheckOutcome === "PASSED" || env.latestCheckOutcome === "WARNING")
      ? env.latestCheckAt
      : null;
  if (!env.lastVerifiedAt) return latestWorked;
  if (!latestWorked) return env.lastVerifiedAt;
  return latestWorked > env.lastVerifiedAt ? latestWorked : env.lastVerifiedAt;
}

/** A setup run is history once a check that started after it proved the connection: its failure is no longer news. */
export function setupIsHistory(setupStartedAt: Date, env: EnvironmentFacts): boolean {
  const worked = lastWorkedAt(env);
  return worked !== null && worked > setupStartedAt;
}

export type FixAction = "setup" | "consent" | "check";

/** The action that fixes the environment's state, offered first (the page's one primary button). */
export function primaryFix(env: EnvironmentFacts): FixAction {
  const state = environmentState(env);
  if (state === "new") return "setup";
  if (state === "failing" && consentFixes(env.healthCauseId)) return "consent";
  if (state === "failing" && setupFixes(env.healthCauseId)) return "setup";
  return "check";
}
