import { cardClass } from "@/components/ui/card";
import Link from "next/link";

// HTTP 404 for a tenant id that is malformed or has never signed in to the portal.
export default function SupportTenantNotFound() {
  return (
    <section className={cardClass("warning")} aria-labelledby="no-tenant-heading">
      <h1 id="no-tenant-heading" className="text-2xl font-bold">
        No such tenant
      </h1>
      <p className="mt-2">
        No tenant with this id has signed in to the portal (or the id is not a tenant id, a GUID like
        00000000-0000-0000-0000-000000000000).
      </p>
      <Link href="/console/tenants" className="mt-4 inline-block font-medium text-brand-700 underline">
        Search the tenant list
      </Link>
    </section>
  );
}
