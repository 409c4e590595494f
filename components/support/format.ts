// Small formatting helpers shared by the console's server and client components (no server-only imports).

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "3 days ago", "5 minutes ago", "just now": the age of a timestamp relative to `now`. */
export function age(date: Date | string | null, now: Date = new Date()): string {
  if (!date) return "never";
  const ms = now.getTime() - new Date(date).getTime();
  if (ms < 60_000) return "just now";
  for (const [unit, size] of UNITS) {
    if (ms >= size) {
      const n = Math.floor(ms / size);
      return `${n} ${unit}${n === 1 ? "" : "s"} ago`;
    }
  }
  return "just now";
}

/** A UTC timestamp to the minute, e.g. "2026-11-22 14:05 UTC". */
export function utc(date: Date | string | null): string {
  if (!date) return "—";
  return new Date(date).toISOString().replace("T", " ").replace(/:\d\d\.\d{3}Z$/, " UTC");
}

export const sourceLabels = { APPSOURCE: "AppSource", INVITATION: "Invitation", DIRECT: "Direct" } as const;

export const consentLabels = {
  NOT_GRANTED: "Not granted",
  PENDING_VERIFICATION: "Pending verification",
  GRANTED: "Granted",
  REVOKED: "Revoked",
} as const;
