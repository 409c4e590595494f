"use client";

// Shown when a page fails on the server (for example, the database is unreachable). It never shows the
// error itself: the digest lets support find the server-side log line.
import { Button } from "@/components/ui/button";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="mx-auto max-w-2xl px-4 py-16 text-center sm:px-6 sm:py-20" role="alert">
      <h1 className="text-2xl font-bold text-slate-900">Something went wrong on our side</h1>
      <p className="mt-4 text-slate-600">
        The portal could not complete this page. Nothing you entered has been lost. Please try again in a minute; if it
        keeps happening, contact support and quote the reference below.
      </p>
      {error.digest ? (
        <p className="mt-4 text-sm text-slate-600">
          Reference: <code className="font-mono">{error.digest}</code>
        </p>
      ) : null}
      <Button onClick={reset} className="mt-8">
        Try again
      </Button>
    </section>
  );
}
