"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { verifyConsentAttempt, type VerifyState } from "@/app/(onboarding)/onboarding/actions";

/** Asks the server to prove consent, again and again with backoff while Microsoft replicates it. */
export function ConsentVerifier() {
  const [state, setState] = useState<VerifyState | { status: "checking"; attempt: number }>({ status: "checking", attempt: 1 });

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = async (n: number) => {
      setState({ status: "checking", attempt: n });
      const result = await verifyConsentAttempt(n);
      if (cancelled) return;
      setState(result);
      if (result.status === "waiting") timer = setTimeout(() => void attempt(n + 1), result.nextDelayMs);
    };
    void attempt(1);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, []);

  if (state.status === "verified") {
    return (
      <div role="status" className="rounded-xl border border-emerald-200 bg-emerald-50 p-6">
        <h2 className="text-lg font-semibold text-emerald-950">Consent verified</h2>
        <p className="mt-1 text-sm text-emerald-900">Microsoft issued a token for your organisation: the app is approved in your tenant.</p>
        <Link href="/onboarding/environments" className="mt-4 inline-flex rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-brand-700">
          Next: register your environments
        </Link>
      </div>
    );
  }
  if (state.status === "failed") {
    return (
      <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-6">
        <h2 className="text-lg font-semibold text-red-950">Consent could not be verified</h2>
        <p className="mt-1 text-sm text-red-900">{state.cause}</p>
        <p className="mt-2 text-sm text-red-900">
          <strong>What to do:</strong> {state.fix}
        </p>
        <Link href="/onboarding/consent" className="mt-4 inline-flex rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-brand-700">
          Back to admin consent
        </Link>
      </div>
    );
  }
  return (
    <div role="status" aria-live="polite" className="rounded-xl border border-sky-200 bg-sky-50 p-6">
      <h2 className="text-lg font-semibold text-sky-950">Verifying consent with Microsoft…</h2>
      {state.status === "waiting" ? (
        <p className="mt-1 text-sm text-sky-900">
          Attempt {state.attempt}: Microsoft is still setting up the app in your tenant, which usually takes a minute and can take a few. Next try in{" "}
          {Math.round(state.nextDelayMs / 1000)} s.
          <span className="mt-1 block text-xs text-sky-800">Microsoft&rsquo;s latest answer: {state.cause}</span>
        </p>
      ) : (
        <p className="mt-1 text-sm text-sky-900">Attempt {state.attempt}: asking Microsoft for a token for your organisation.</p>
      )}
    </div>
  );
}
