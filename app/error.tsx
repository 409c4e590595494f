"use client";

// Shown when a page fails on the server (for example, the database is unreachable). It never shows the
// error itself: the digest lets support find the server-side log line.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="mx-auto max-w-2xl px-6 py-20 text-center" role="alert">
      <h1 className="text-2xl font-bold text-slate-900">Something went wrong on our side</h1>
      <p className="mt-4 text-slate-600">
        The portal could not complete this page. Nothing you entered has been lost. Please try again in a minute; if it keeps happening, contact
        support and quote the reference below.
      </p>
      {error.digest ? (
        <p className="mt-4 text-sm text-slate-500">
          Reference: <code className="font-mono">{error.digest}</code>
        </p>
      ) : null}
      <button type="button" onClick={reset} className="mt-8 rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-brand-700">
        Try again
      </button>
    </section>
  );
}
