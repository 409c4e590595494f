import { LinkButton } from "@/components/ui/button";

export function Pagination({
  page,
  pageCount,
  href,
}: {
  page: number;
  pageCount: number;
  href: (page: number) => string;
}) {
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p>
        Page {page} of {pageCount}
      </p>
      <div className="flex flex-wrap gap-2">
        {page > 1 ? (
          <>
            <LinkButton href={href(1)} variant="secondary" size="sm">
              First
            </LinkButton>
            <LinkButton href={href(page - 1)} rel="prev" variant="secondary" size="sm">
              Previous
            </LinkButton>
          </>
        ) : null}
        {page < pageCount ? (
          <>
            <LinkButton href={href(page + 1)} rel="next" variant="secondary" size="sm">
              Next
            </LinkButton>
            <LinkButton href={href(pageCount)} variant="secondary" size="sm">
              Last
            </LinkButton>
          </>
        ) : null}
      </div>
    </nav>
  );
}
