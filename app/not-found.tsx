import Link from "next/link";
import Forbidden from "@/app/forbidden";
import { currentRefusal } from "@/lib/http/refusal";

export default function NotFound() {
  // A server action refused to a form posted without JavaScript: Next renders this page for it, the portal sends it
  // as a 403 (lib/http/refusal.ts), so it says what a refusal says.
  if (currentRefusal() === 403) return <Forbidden />;
  return (
    <section className="mx-auto max-w-2xl px-4 py-16 text-center sm:px-6 sm:py-20">
      <h1 className="text-2xl font-bold text-slate-900">Page not found</h1>
      <p className="mt-4 text-slate-600">
        This address does not exist, or it belongs to an organisation you are not signed in to.
      </p>
      <Link href="/" className="mt-8 inline-block text-brand-700 underline">
        Back to the start
      </Link>
    </section>
  );
}
