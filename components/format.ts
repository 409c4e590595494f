// Formatting shared by server and client components (no server-only imports): counts and dates through Intl,
// so plurals and time zones follow the platform's rules instead of hand-written ones.

const pluralRules = new Intl.PluralRules("en");

/** `count(3, "environment")` → "3 environments"; irregular plurals as the third argument. */
export function count(n: number, one: string, other = `${one}s`): string {
  return `${n} ${pluralRules.select(n) === "one" ? one : other}`;
}

/** Just the word for n: `noun(1, "day")` → "day". */
export function noun(n: number, one: string, other = `${one}s`): string {
  return pluralRules.select(n) === "one" ? one : other;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "3 days ago", "5 minutes ago", "just now": the age of a timestamp relative to `now`. */
export function age(date: Date | string | null, now: Date = new Date()): string {
  if (!date) return "never";
  const ms = now.getTime() - new Date(date).getTime();
  for (const [unit, size] of UNITS) {
    if (ms >= size) return relative.format(-Math.floor(ms / size), unit);
  }
  return "just now";
}

/**
 * A date and time to the minute with its zone, e.g. "22 Nov 2026, 14:05 UTC". The server renders it in UTC
 * (it cannot know the viewer's zone); <LocalTime> re-renders it in the browser's zone.
 */
export function dateTime(date: Date | string, timeZone?: string): string {
  return dateTimeFormat(timeZone).format(new Date(date));
}

// One formatter per zone: making one costs far more than formatting with it, and a page of check history shows
// dozens of timestamps.
const dateTimeFormats = new Map<string | undefined, Intl.DateTimeFormat>();

function dateTimeFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  let format = dateTimeFormats.get(timeZone);
  if (!format) {
    // dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields one by one.
    format = new Intl.DateTimeFormat("en-GB", {
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
      timeZone,
    });
    dateTimeFormats.set(timeZone, format);
  }
  return format;
}
