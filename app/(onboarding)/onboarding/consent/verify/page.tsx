import type { Metadata } from "next";
import { ConsentVerifier } from "./_components/consent-verifier";
import { requireCustomerAdmin } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Verifying consent" };

export default async function VerifyConsentPage() {
  await requireCustomerAdmin("/onboarding/consent/verify");
  return (
    <div className="max-w-3xl space-y-6">
      <h1 className="text-3xl font-bold text-slate-900">Admin consent</h1>
      <ConsentVerifier />
    </div>
  );
}
