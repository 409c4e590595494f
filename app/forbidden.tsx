import Link from "next/link";

export default function Forbidden() {
  return (
    <section className="mx-auto max-w-2xl px-6 py-20 text-center">
      <h1 className="text-2xl font-bold text-slate-900">You don&rsquo;t have access to this page</h1>
      <p className="mt-4 text-slate-600">
        Your account is signed in, but it is not allowed here. If you think it should be, ask your administrator for the right role.
      </p>
      <Link href="/" className="mt-8 inline-block text-brand-700 underline">
        Back to the start
      </Link>
    </section>
  );
}
