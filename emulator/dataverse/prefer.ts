/**
 * The `Prefer` request header (RFC 7240) as the Dataverse Web API reads it (docs/protocol/dataverse.md "Paging",
 * "Annotations"): `odata.maxpagesize=N` and `odata.include-annotations="a,b*"`, next to `return=representation`
 * and `odata.continue-on-error`. Preferences are separated by commas outside quotes; names are case-insensitive.
 */

export interface Preference {
  /** Lower-cased name, e.g. `odata.maxpagesize`. */
  name: string;
  /** The value without its quotes, or "" when the preference has none. */
  value: string;
  /** The preference as written (for `Preference-Applied`). */
  text: string;
}

export function parsePrefer(header: string | undefined): Preference[] {
  if (!header) return [];
  const items: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      items.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  items.push(current);
  return items
    .map((item) => item.trim())
    .filter(Boolean)
    .map((text) => {
      const eq = text.indexOf("=");
      const name = (eq < 0 ? text : text.slice(0, eq)).trim().toLowerCase();
      const raw = eq < 0 ? "" : text.slice(eq + 1).trim();
      const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
      return { name, value, text: `${name}=${eq < 0 ? "" : raw}`.replace(/=$/, "") };
    });
}

export function preference(header: string | undefined, name: string): Preference | undefined {
  return parsePrefer(header).find((p) => p.name === name);
}

/** Dataverse pages at 5,000 rows at most; a larger `odata.maxpagesize` is ignored ([V] "Page results"). */
export const MAX_PAGE_SIZE = 5000;

/** The honoured `odata.maxpagesize`, or undefined when absent, malformed or above 5,000 (then ignored, not applied). */
export function maxPageSize(header: string | undefined): number | undefined {
  const pref = preference(header, "odata.maxpagesize");
  if (!pref || !/^\d+$/.test(pref.value)) return undefined;
  const size = Number(pref.value);
  return size >= 1 && size <= MAX_PAGE_SIZE ? size : undefined;
}

/**
 * Which annotations `odata.include-annotations` asks for: a comma-separated list of names, `*` for all, and a
 * trailing `*` for a prefix (`Microsoft.PowerApps.CDS.ErrorDetails*`). Exclusions (`-name`) select nothing.
 */
export interface AnnotationFilter {
  /** The preference as written, echoed in `Preference-Applied`. */
  text: string;
  includes(annotation: string): boolean;
}

export function annotationFilter(header: string | undefined): AnnotationFilter | undefined {
  const pref = preference(header, "odata.include-annotations");
  if (!pref) return undefined;
  const patterns = pref.value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith("-"));
  return {
    text: `odata.include-annotations="${pref.value}"`,
    includes: (annotation) =>
      patterns.some((p) => p === "*" || p === annotation || (p.endsWith("*") && annotation.startsWith(p.slice(0, -1)))),
  };
}

/** `Preference-Applied` for the preferences honoured, or no header at all. */
export function preferenceApplied(applied: (string | undefined)[]): Record<string, string> {
  const list = applied.filter((a): a is string => Boolean(a));
  return list.length > 0 ? { "preference-applied": list.join(",") } : {};
}
