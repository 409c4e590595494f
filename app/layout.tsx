import type { Metadata } from "next";
import type { ReactNode } from "react";
import { SiteHeader } from "@/components/site-header";
import { SiteFooter } from "@/components/site-footer";
import { config } from "@/lib/config";
import { requestOrigin } from "@/lib/request-origin";
import "./globals.css";

// Rendered per request: branding and mode come from the runtime configuration, not the build machine.
export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const { appName } = config().branding;
  const description = `Connect your organisation's Microsoft Dataverse environments to ${appName}, securely and without a support ticket.`;
  return {
    // Every page's title ends with the product's name (the console's layout keeps it in its own template).
    title: { default: `Connect Dataverse to ${appName}`, template: `%s · ${appName}` },
    description,
    applicationName: appName,
    // Open Graph wants absolute image URLs: the portal's own origin (AUTH_URL, else the request's).
    metadataBase: new URL(await requestOrigin()),
    icons: {
      icon: [
        { url: "/favicon.ico", sizes: "48x48" },
        { url: "/favicon.svg", type: "image/svg+xml" },
      ],
    },
    openGraph: {
      type: "website",
      siteName: appName,
      title: `Connect Dataverse to ${appName}`,
      description,
      images: [{ url: "/og-image.png", width: 1200, height: 630 }],
    },
  };
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-screen flex-col bg-slate-50 font-sans text-slate-900 antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:top-4 focus:left-4 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
          Skip to content
        </a>
        <SiteHeader />
        <main id="main" className="flex-1">
          {children}
        </main>
        <SiteFooter />
      </body>
    </html>
  );
}
