import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { age, consentLabels, sourceLabels } from "@/components/support/format";
import { CHECK_STEPS, staffStepLabel } from "@/lib/checks/vocabulary";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { BrokenBadge } from "@/components/support/broken-badge";
import { requireStaff } from "@/lib/auth/session";
import {
  filtersToQuery,
  isCanonicalQuery,
  PAGE_SIZES,
  parseTenantFilters,
  SORT_LABELS,
  SORTS,
  SOURCES,
  STAGE_LABELS,
  STAGES,
  type TenantFilters,
} from "@/lib/data/support/tenant-filters";
import { listTenants } from "@/lib/data/support/tenants";

export const metadata: Metadata = { title: "Tenants" };

const STALE_CHOICES = [7, 30, 90];
const sourceOptionLabels = { appsource: "AppSource", invitation: "Invitation", direct: "Direct" } as const;

const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

function SortHeader({ filters, sort, children, className = "" }: { filters: TenantFilters; sort: TenantFilters["sort"]; children: string; className?: string }) {
  const active = filters.sort === sort;
  const dir = active && filters.dir === "asc" ? "desc" : "asc";
  return (
    <th scope="col" className={`px-3 py-2 ${className}`} aria-sort={active ? (filters.dir === "asc" ? "ascending" : "descending") : undefined}>
      <Link href={`/console/tenants${filtersToQuery(filters, { sort, dir, page: 1 })}`} className="inline-flex items-center gap-1 hover:text-slate-900">
        {children}
        <span aria-hidden>{active ? (filters.dir === "asc" ? "▲" : "▼") : ""}</span>
        <span className="sr-only">{active ? "" : ", sort"}</span>
      </Link>
    </th>
  );
}

export default async function TenantsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireStaff("/console/tenants");
  const raw = await searchParams;
  const parsed = parseTenantFilters(raw);
  // A malformed filter or page number has no list to show: 404 with the console's explanation (not-found.tsx).
  if (!parsed.ok) notFound();
  const filters = parsed.filters;
  // The filter form submits every field; blank and default ones are left out of the address people share.
  if (!isCanonicalQuery(raw, filters)) redirect(`/console/tenants${filtersToQuery(filters)}`);
  const now = new Date();
  const result = await listTenants(filters, now);
  if (!result.ok) notFound();
  const { rows, total, page, pageCount } = result;
  const exportQuery = filtersToQuery({ ...filters, page: 1, size: PAGE_SIZES[0] });
  const pageHref = (p: number) => `/console/tenants${filtersToQuery(filters, { page: p })}`;
  const filtered = Boolean(filters.q || filters.stage || filters.step || filters.source || filters.stale || filters.health);
  const staleChoices = filters.stale && !STALE_CHOICES.includes(filters.stale) ? [...STALE_CHOICES, filters.stale].sort((a, b) => a - b) : STALE_CHOICES;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-3xl font-bold text-slate-900">Tenants</h1>
          <p className="mt-1 text-slate-600" role="status" data-testid="result-count">
            {total} tenant{total === 1 ? "" : "s"} {filtered ? "match these filters" : "in total"}
          </p>
        </div>
        <a href={`/console/tenants.csv${exportQuery}`} className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold shadow-sm hover:bg-slate-50" download>
          Export CSV
        </a>
      </div>

      <form method="get" action="/console/tenants" role="search" aria-label="Filter tenants" className="grid gap-4 rounded-xl border border-slate-200 bg-white p-5 sm:grid-cols-2 lg:grid-cols-4">
        <label className="text-sm font-medium text-slate-700 sm:col-span-2">
          Search
          <input type="search" name="q" defaultValue={filters.q ?? ""} placeholder="Tenant id, domain or environment URL" className={field} />
        </label>
        <label className="text-sm font-medium text-slate-700">
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
        <label className="text-sm font-medium text-slate-700">
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
        <label className="text-sm font-medium text-slate-700">
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
        <label className="text-sm font-medium text-slate-700">
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
        <label className="text-sm font-medium text-slate-700">
          Sort by
          <select name="sort" defaultValue={filters.sort} className={field}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Order
          <select name="dir" defaultValue={filters.dir} className={field}>
            <option value="desc">Descending</option>
            <option value="asc">Ascending</option>
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
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
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
            Apply filters
          </button>
          {filtered ? (
            <Link href="/console/tenants" className="text-sm text-brand-700 underline">
              Clear filters
            </Link>
          ) : null}
        </div>
      </form>

      {rows.length === 0 ? (
        <p className="rounded-xl border border-slate-200 bg-white p-6 text-slate-600">No tenant matches these filters.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <table className="w-full min-w-[960px] text-left text-sm" aria-label="Tenants">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <SortHeader filters={filters} sort="name">
                  Tenant
                </SortHeader>
                <SortHeader filters={filters} sort="domain">
                  Primary domain
                </SortHeader>
                <th scope="col" className="px-3 py-2">
                  Source
                </th>
                <th scope="col" className="px-3 py-2">
                  Consent
                </th>
                <th scope="col" className="px-3 py-2">
                  Environments
                </th>
                <SortHeader filters={filters} sort="checked">
                  Latest check
                </SortHeader>
                <th scope="col" className="px-3 py-2">
                  Failing step
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((t) => (
                <tr key={t.id} data-tenant-id={t.id} className="align-top hover:bg-slate-50">
                  <td className="px-3 py-3">
                    <Link href={`/console/tenants/${t.id}`} className="font-medium text-brand-700 underline">
                      {t.displayName ?? t.primaryDomain ?? "Unnamed tenant"}
                    </Link>
                    <span className="block font-mono text-xs text-slate-500">{t.id}</span>
                  </td>
                  <td className="px-3 py-3">{t.primaryDomain ?? "—"}</td>
                  <td className="px-3 py-3">{sourceLabels[t.source]}</td>
                  <td className="px-3 py-3">{consentLabels[t.consentState]}</td>
                  <td className="px-3 py-3">
                    <span className="tabular-nums">{t._count.environments}</span>
                    {t.environments.map((e) => (
                      <span key={e.url} className="block max-w-[16rem] truncate font-mono text-xs text-slate-500" title={e.url}>
                        {e.url.replace(/^https:\/\//, "")}
                      </span>
                    ))}
                  </td>
                  <td className="px-3 py-3">
                    <OutcomeBadge outcome={t.latestCheckOutcome} />
                    <BrokenBadge health={t.health} since={t.brokenSince} />
                    {t.latestCheckAt ? (
                      <time dateTime={t.latestCheckAt.toISOString()} className="block text-xs text-slate-500" title={t.latestCheckAt.toISOString()}>
                        {age(t.latestCheckAt, now)}
                      </time>
                    ) : null}
                  </td>
                  <td className="px-3 py-3">{t.latestCheckOutcome === "FAILED" && t.latestFailingStep ? <code className="text-xs">{t.latestFailingStep}</code> : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 text-sm">
        <p>
          Page {page} of {pageCount}
        </p>
        <div className="flex gap-2">
          {page > 1 ? (
            <>
              <Link href={pageHref(1)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
                First
              </Link>
              <Link href={pageHref(page - 1)} rel="prev" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
                Previous
              </Link>
            </>
          ) : null}
          {page < pageCount ? (
            <>
              <Link href={pageHref(page + 1)} rel="next" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
                Next
              </Link>
              <Link href={pageHref(pageCount)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
                Last
              </Link>
            </>
          ) : null}
        </div>
      </nav>
    </div>
  );
}
