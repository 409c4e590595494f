import { config } from "@/lib/config";

export function SiteFooter() {
  const { vendorName, supportEmail } = config().branding;
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-6 py-6 text-sm text-slate-600">
        <p>© {vendorName}</p>
        <p>
          Questions?{" "}
          <a className="text-brand-700 underline" href={`mailto:${supportEmail}`}>
            {supportEmail}
          </a>
        </p>
      </div>
    </footer>
  );
}
