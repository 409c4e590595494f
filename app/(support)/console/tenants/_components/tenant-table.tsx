import Link from "next/link";
import { age, dateTime } from "@/components/format";
import { consentLabels, sourceLabels } from "@/components/support/format";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { BrokenBadge } from "@/components/support/broken-badge";
import { DisconnectedNote } from "@/components/support/disconnected-badge";
import { TableFrame } from "@/components/ui/table-frame";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { staffStepLabel } from "@/lib/checks/vocabulary";
import { filtersToQuery, type TenantFilters } from "@/lib/data/support/tenant-filters";
import type { listTenants } from "@/lib/data/support/tenants";

type Rows = Extract<Awaited<ReturnType<typeof listTenants>>, { ok: true }>["rows"];

function SortHeader({
  filters,
  sort,
  children,
}: {
  filters: TenantFilters;
  sort: TenantFilters["sort"];
  children: string;
}) {
  const active = filters.sort === sort;
  const dir = active && filters.dir === "asc" ? "desc" : "asc";
  return (
    <Th aria-sort={active ? (filters.dir === "asc" ? "ascending" : "descending") : undefined}>
      <Link
        href={`/console/tenants${filtersToQuery(filters, { sort, dir, page: 1 })}`}
        className="inline-flex items-center gap-1 hover:text-slate-900"
      >
        {children}
        <span aria-hidden>{active ? (filters.dir === "asc" ? "▲" : "▼") : ""}</span>
        <span className="sr-only">{active ? "" : ", sort"}</span>
      </Link>
    </Th>
  );
}

/** The tenant list: organisation names first, environments by their friendly name, steps in words. */
export function TenantTable({ rows, filters, now }: { rows: Rows; filters: TenantFilters; now: Date }) {
  return (
    <TableFrame caption="Tenants">
      <THead>
        <Tr>
          <SortHeader filters={filters} sort="name">
            Organisation
          </SortHeader>
          <Th>Reference</Th>
          <SortHeader filters={filters} sort="domain">
            Primary domain
          </SortHeader>
          <Th>Source</Th>
          <Th>Consent</Th>
          <Th>Environments</Th>
          <SortHeader filters={filters} sort="checked">
            Latest check
          </SortHeader>
          <Th>Failing step</Th>
        </Tr>
      </THead>
      <TBody>
        {rows.map((t) => (
          <Tr key={t.id} data-tenant-id={t.id} className="hover:bg-slate-50">
            <Td label="Organisation">
              <Link href={`/console/tenants/${t.id}`} className="font-medium text-brand-700 underline">
                {t.displayName ?? t.primaryDomain ?? "Unnamed tenant"}
              </Link>
            </Td>
            <Td label="Reference" className="break-all" data-testid="customer-reference">
              {t.customerReference ?? <span className="text-slate-600">—</span>}
            </Td>
            <Td label="Domain" className="break-all">
              {t.primaryDomain ?? "—"}
            </Td>
            <Td label="Source">{sourceLabels[t.source]}</Td>
            <Td label="Consent">{consentLabels[t.consentState]}</Td>
            <Td label="Environments">
              <span className="tabular-nums">{t._count.environments}</span>
              {t.environments.map((e) => (
                <span key={e.url} className="block max-w-[16rem] truncate text-xs text-slate-600" title={e.url}>
                  {e.url.replace(/^https:\/\//, "")}
                </span>
              ))}
            </Td>
            <Td label="Latest check">
              <DisconnectedNote at={t.disconnectedAt} by={t.disconnectedByName} />
              {t.disconnectedAt ? null : <OutcomeBadge outcome={t.latestCheckOutcome} />}
              <BrokenBadge health={t.health} since={t.brokenSince} />
              {t.latestCheckAt ? (
                <time
                  dateTime={t.latestCheckAt.toISOString()}
                  className="block text-xs text-slate-600"
                  title={dateTime(t.latestCheckAt, "UTC")}
                >
                  {age(t.latestCheckAt, now)}
                </time>
              ) : null}
            </Td>
            <Td label="Failing step">
              {t.latestCheckOutcome === "FAILED" && t.latestFailingStep ? staffStepLabel(t.latestFailingStep) : "—"}
            </Td>
          </Tr>
        ))}
      </TBody>
    </TableFrame>
  );
}
