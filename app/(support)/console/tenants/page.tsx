import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { count } from "@/components/format";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { requireStaff } from "@/lib/auth/session";
import { filtersToQuery, isCanonicalQuery, PAGE_SIZES, parseTenantFilters } from "@/lib/data/support/tenant-filters";
import { listTenants } from "@/lib/data/support/tenants";
import { Pagination } from "./_components/pagination";
import { TenantFilterForm } from "./_components/tenant-filter-form";
import { TenantTable } from "./_components/tenant-table";

export const metadata: Metadata = { title: "Tenants" };

export default async function TenantsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
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
  const filtered = Boolean(
    filters.q || filters.stage || filters.step || filters.source || filters.stale || filters.health,
  );

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-3xl font-bold text-slate-900">Tenants</h1>
          <p className="mt-1 text-slate-600" role="status" data-testid="result-count">
            {count(total, "tenant")}{" "}
            {filtered ? (total === 1 ? "matches these filters" : "match these filters") : "in total"}
          </p>
        </div>
        <a href={`/console/tenants.csv${exportQuery}`} className={buttonClass("secondary")} download>
          Export CSV
        </a>
      </div>

      <TenantFilterForm filters={filters} filtered={filtered} />

      {rows.length === 0 ? (
        <EmptyState>No tenant matches these filters.</EmptyState>
      ) : (
        <TenantTable rows={rows} filters={filters} now={now} />
      )}

      <Pagination
        page={page}
        pageCount={pageCount}
        href={(p) => `/console/tenants${filtersToQuery(filters, { page: p })}`}
      />
    </div>
  );
}
