import "server-only";

// The support console's tenant-list query (filters, search, sort, page), as it appears in a URL:
// /console/tenants?stage=failing&step=roles&stale=7&q=contoso&sort=checked&dir=desc&page=2
// The list page, the CSV export and the benchmark all parse it here, so they agree on what is valid.
import { z } from "zod";
import { CHECK_STEPS } from "@/lib/checks/vocabulary";
import { hasNul } from "@/lib/text";

/**
 * Where a tenant stands now. Decided by precedence: disconnected first (nothing else is left), then a check
 * result, then environments, then consent.
 */
export const STAGES = ["signed-in", "consented", "environment", "verified", "failing", "disconnected"] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABELS: Record<Stage, string> = {
  "signed-in": "Signed in, no consent yet",
  consented: "Consented, no environment",
  environment: "Environment registered, not checked",
  verified: "Connected (latest check passed)",
  failing: "Failing (latest check failed)",
  disconnected: "Disconnected (its data removed)",
};

export const SOURCES = ["appsource", "invitation", "direct"] as const;
export const HEALTH_FILTERS = ["broken"] as const;
export const SORTS = ["name", "domain", "created", "checked", "outcome"] as const;
export const PAGE_SIZES = [25, 50, 100] as const;
/** 10,000 tenants at 25 a page are 400 pages; anything far beyond that is a typo or a probe. */
export const MAX_PAGE = 10_000;
export const MAX_STALE_DAYS = 365;

export const SORT_LABELS: Record<(typeof SORTS)[number], string> = {
  name: "Name",
  domain: "Primary domain",
  created: "First sign-in",
  checked: "Latest check",
  outcome: "Check outcome",
};

// An empty (or blank) value is no filter: the list form submits every field, set or not.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

const filtersSchema = z.object({
  q: optional(
    z
      .string()
      .trim()
      .max(200, "Search for at most 200 characters.")
      .refine((v) => !hasNul(v), "q must not contain NUL characters."),
  ),
  stage: optional(z.enum(STAGES, { error: `stage must be one of: ${STAGES.join(", ")}.` })),
  step: optional(z.enum(CHECK_STEPS, { error: `step must be one of: ${CHECK_STEPS.join(", ")}.` })),
  source: optional(z.enum(SOURCES, { error: `source must be one of: ${SOURCES.join(", ")}.` })),
  /** Connection health (lib/checks/health.ts): "broken" lists tenants with a broken environment. */
  health: optional(z.enum(HEALTH_FILTERS, { error: `health must be one of: ${HEALTH_FILTERS.join(", ")}.` })),
  stale: optional(
    z
      .string()
      .regex(/^\d{1,4}$/, `stale must be a number of days from 1 to ${MAX_STALE_DAYS}.`)
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, `stale must be a number of days from 1 to ${MAX_STALE_DAYS}.`)
          .max(MAX_STALE_DAYS, `stale must be a number of days from 1 to ${MAX_STALE_DAYS}.`),
      ),
  ),
  sort: optional(z.enum(SORTS, { error: `sort must be one of: ${SORTS.join(", ")}.` })).transform(
    (v) => v ?? "checked",
  ),
  dir: optional(z.enum(["asc", "desc"], { error: "dir must be asc or desc." })).transform((v) => v ?? "desc"),
  page: optional(
    z
      .string()
      .regex(/^\d{1,9}$/, `page must be a whole number from 1 to ${MAX_PAGE}.`)
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, `page must be a whole number from 1 to ${MAX_PAGE}.`)
          .max(MAX_PAGE, `page must be a whole number from 1 to ${MAX_PAGE}.`),
      ),
  ).transform((v) => v ?? 1),
  size: optional(
    z
      .enum(PAGE_SIZES.map(String) as [string, ...string[]], {
        error: `size must be one of: ${PAGE_SIZES.join(", ")}.`,
      })
      .transform(Number),
  ).transform((v) => v ?? PAGE_SIZES[0]),
});

export type TenantFilters = z.infer<typeof filtersSchema>;

export type ParsedFilters = { ok: true; filters: TenantFilters } | { ok: false; errors: string[] };

const KNOWN = Object.keys(filtersSchema.shape);
export const FILTER_KEYS: readonly string[] = KNOWN;

type QueryInput = URLSearchParams | Record<string, string | string[] | undefined>;

function pairsOf(input: QueryInput): Array<[string, string]> {
  return input instanceof URLSearchParams
    ? [...input.entries()]
    : Object.entries(input).flatMap(([k, v]) =>
        v === undefined ? [] : Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]],
      );
}

/**
 * Parses the query of a list or export URL. Unknown parameters are ignored (links may carry tracking tags);
 * a known one given twice, or with a value outside its set, is an error naming the parameter.
 */
export function parseTenantFilters(input: QueryInput): ParsedFilters {
  const entries: Record<string, string> = {};
  const errors: string[] = [];
  for (const [key, value] of pairsOf(input)) {
    if (!KNOWN.includes(key)) continue;
    if (key in entries) errors.push(`${key} appears more than once.`);
    entries[key] = value;
  }
  const parsed = filtersSchema.safeParse(entries);
  if (!parsed.success) errors.push(...parsed.error.issues.map((i) => i.message));
  if (errors.length > 0 || !parsed.success) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, filters: parsed.data };
}

/** The URL query for these filters (defaults left out), with `overrides` applied; for links and forms. */
export function filtersToQuery(
  filters: Partial<TenantFilters>,
  overrides: Partial<Record<keyof TenantFilters, string | number | undefined>> = {},
): string {
  const merged: Record<string, string | number | undefined> = { ...filters, ...overrides };
  const params = new URLSearchParams();
  for (const key of KNOWN) {
    const value = merged[key];
    if (value === undefined || value === "") continue;
    if (key === "sort" && value === "checked") continue;
    if (key === "dir" && value === "desc") continue;
    if (key === "page" && Number(value) === 1) continue;
    if (key === "size" && Number(value) === PAGE_SIZES[0]) continue;
    params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** Whether the address spells these filters differently from filtersToQuery (blank or default fields, spacing). */
export function isCanonicalQuery(input: QueryInput, filters: TenantFilters): boolean {
  const given = pairsOf(input)
    .filter(([k]) => KNOWN.includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  const canonical = [...new URLSearchParams(filtersToQuery(filters).slice(1)).entries()]
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return given.length === canonical.length && given.every((g, i) => g === canonical[i]);
}
