/** "Northwind Traders'" and "Contoso's". */
export function possessive(name: string): string {
  return name.endsWith("s") ? `${name}'` : `${name}'s`;
}

/** PostgreSQL text cannot hold U+0000, so a query or insert with it fails: refuse it as bad input instead. */
export function hasNul(value: string): boolean {
  return value.includes("\u0000");
}

const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
  timeZoneName: "short",
});

/** The product's one date format, in UTC, for text without a browser to localise it (e-mails): "4 Dec 2026, 10:10 UTC". */
export function utcDateTime(date: Date): string {
  return DATE_TIME.format(date);
}
