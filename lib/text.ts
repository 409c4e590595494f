/** "Northwind Traders'" and "Contoso's". */
export function possessive(name: string): string {
  return name.endsWith("s") ? `${name}'` : `${name}'s`;
}

/** PostgreSQL text cannot hold U+0000, so a query or insert with it fails: refuse it as bad input instead. */
export function hasNul(value: string): boolean {
  return value.includes("\u0000");
}
