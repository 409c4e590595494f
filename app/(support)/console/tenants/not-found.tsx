import { cardClass } from "@/components/ui/card";
import Link from "next/link";
import { CHECK_STEPS } from "@/lib/checks/vocabulary";
import { MAX_PAGE, MAX_STALE_DAYS, PAGE_SIZES, SORTS, SOURCES, STAGES } from "@/lib/data/support/tenant-filters";

// Shown with HTTP 404 when the tenant list's address asks for something that does not exist: a filter value
// the console does not know, or a page past the end of the list.
export default function TenantListNotFound() {
  return (
    <section className={cardClass("warning")} aria-labelledby="bad-list-heading">
      <h1 id="bad-list-heading" className="text-2xl font-bold">
        This tenant list does not exist
      </h1>
      <p className="mt-2">
        A filter, sort or page number in the address is not valid, or the page is past the end of the list. The list
        accepts:
      </p>
      <ul className="mt-3 list-disc space-y-1 pl-5 text-sm">
        <li>
          <code>stage</code>: {STAGES.join(", ")}
        </li>
        <li>
          <code>step</code>: {CHECK_STEPS.join(", ")}
        </li>
        <li>
          <code>source</code>: {SOURCES.join(", ")}
        </li>
        <li>
          <code>stale</code>: a number of days from 1 to {MAX_STALE_DAYS}
        </li>
        <li>
          <code>sort</code>: {SORTS.join(", ")}; <code>dir</code>: asc, desc
        </li>
        <li>
          <code>page</code>: 1 to the last page (at most {MAX_PAGE}); <code>size</code>: {PAGE_SIZES.join(", ")}
        </li>
      </ul>
      <Link href="/console/tenants" className="mt-4 inline-block font-medium text-brand-700 underline">
        Show all tenants
      </Link>
    </section>
  );
}
