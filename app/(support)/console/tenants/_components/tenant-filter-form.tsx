import Link from "next/link";
import { Button } from "@/components/ui/button";
import { CHECK_STEPS, staffStepLabel } from "@/lib/checks/vocabulary";
import {
  PAGE_SIZES,
  SORT_LABELS,
  SORTS,
  SOURCES,
  STAGE_LABELS,
  STAGES,
  type TenantFilters,
} from "@/lib/data/support/tenant-filters";

const STALE_CHOICES = [7, 30, 90];
const sourceOptionLabels = { appsource: "AppSource", invitation: "Invitation", direct: "Direct" } as const;
const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";
const label = "text-sm font-medium text-slate-700";

/** The list's filters as a plain GET form: the address is the filter, so it can be shared and bookmarked. */
export function TenantFilterForm({ filters, filtered }: { filters: TenantFilters; filtered: boolean }) {
  const staleChoices =
    filters.stale && !STALE_CHOICES.includes(filters.stale)
      ? [...STALE_CHOICES, filters.stale].sort((a, b) => a - b)
      : STALE_CHOICES;
  return (
    <form
      method="get"
      action="/console/tenants"
      role="search"
      aria-label="Filter tenants"
      className="grid gap-4 rounded-xl border border-slate-200 bg-white p-5 sm:grid-cols-2 lg:grid-cols-4"
    >
      <label className={`${label} sm:col-span-2`}>
        Search
        <input
          type="search"
          name="q"
          defaultValue={filters.q ?? ""}
          placeholder="Organisation, customer reference, domain, tenant id or environment"
          className={field}
        />
      </label>
      <label className={label}>
        Stage
        <select name="stage" defaultValue={filters.stage ?? ""} className={field}>
          <option value="">Any stage</option>
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {STAGE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Failing step
        <select name="step" defaultValue={filters.step ?? ""} className={field}>
          <option value="">Any</option>
          {CHECK_STEPS.map((s) => (
            <option key={s} value={s}>
              {staffStepLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Source
        <select name="source" defaultValue={filters.source ?? ""} className={field}>
          <option value="">Any source</option>
          {SOURCES.map((s) => (
            <option key={s} value={s}>
              {sourceOptionLabels[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium text-slate-700">
        Connection
        <select name="health" defaultValue={filters.health ?? ""} className={field}>
          <option value="">Any</option>
          <option value="broken">Broken</option>
        </select>
      </label>
      <label className={label}>
        Stale checks
        <select name="stale" defaultValue={filters.stale ? String(filters.stale) : ""} className={field}>
          <option value="">Don&rsquo;t filter</option>
          {staleChoices.map((d) => (
            <option key={d} value={String(d)}>
              Not checked for {d} days
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Sort by
        <select name="sort" defaultValue={filters.sort} className={field}>
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Order
        <select name="dir" defaultValue={filters.dir} className={field}>
          <option value="desc">Descending</option>
          <option value="asc">Ascending</option>
        </select>
      </label>
      <label className={label}>
        Per page
        <select name="size" defaultValue={String(filters.size)} className={field}>
          {PAGE_SIZES.map((s) => (
            <option key={s} value={String(s)}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <div className="flex items-end gap-3 sm:col-span-2 lg:col-span-3">
        <Button type="submit">Apply filters</Button>
        {filtered ? (
          <Link href="/console/tenants" className="text-sm text-brand-700 underline">
            Clear filters
          </Link>
        ) : null}
      </div>
    </form>
  );
}
