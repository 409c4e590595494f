"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { verifyConsentAttempt, type VerifyState } from "@/app/(onboarding)/onboarding/actions";
import { buttonClass } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";

/** Asks the server to prove consent, again and again with backoff while Microsoft replicates it. */
export function ConsentVerifier() {
  const [state, setState] = useState<VerifyState | { status: "checking"; attempt: number }>({
    status: "checking",
    attempt: 1,
  });

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
      <div role="status" className={cardClass("success")}>
        <h2 className="text-lg font-semibold text-emerald-950">Consent verified</h2>
        <p className="mt-1 text-sm text-emerald-900">
          Microsoft issued a token for your organisation: the app is approved in your tenant.
        </p>
        <Link href="/onboarding/environments" className={buttonClass("primary", "md", "mt-4")}>
          Next: register your environments
        </Link>
      </div>
    );
  }
  if (state.status === "failed") {
    return (
      <div role="alert" className={cardClass("danger")}>
        <h2 className="text-lg font-semibold text-red-950">Consent could not be verified</h2>
        <p className="mt-1 text-sm text-red-900">{state.cause}</p>
        <p className="mt-2 text-sm text-red-900">
          <strong>What to do:</strong> {state.fix}
        </p>
        <Link href="/onboarding/consent" className={buttonClass("primary", "md", "mt-4")}>
          Back to admin consent
        </Link>
      </div>
    );
  }
  return (
    <div role="status" aria-live="polite" className={cardClass("info")}>
      <h2 className="text-lg font-semibold text-sky-950">Verifying consent with Microsoft…</h2>
      {state.status === "waiting" ? (
        <p className="mt-1 text-sm text-sky-900">
          Attempt {state.attempt}: Microsoft is still setting up the app in your tenant, which usually takes a minute
          and can take a few. Next try in {Math.round(state.nextDelayMs / 1000)} s.
          <span className="mt-1 block text-xs text-sky-800">Microsoft&rsquo;s latest answer: {state.cause}</span>
        </p>
      ) : (
        <p className="mt-1 text-sm text-sky-900">
          Attempt {state.attempt}: asking Microsoft for a token for your organisation.
        </p>
      )}
    </div>
  );
}
