import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Disconnected" };

export default function DisconnectedPage() {
  return (
    <section className="mx-auto max-w-2xl px-6 py-20">
      <h1 className="text-3xl font-bold text-slate-900">Your organisation was disconnected</h1>
      <p className="mt-4 text-slate-700">
        Its environments and check history were removed from this portal and you were signed out. You can connect again
        at any time.
      </p>
      <Link href="/consent" className="mt-8 inline-block text-brand-700 underline">
        Connect again
      </Link>
    </section>
  );
}
