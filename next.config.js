/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native or WebAssembly database code is loaded by Node at run time, not bundled.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "pg",
    "@azure/msal-node",
    "@azure/identity",
    "@azure/keyvault-secrets",
    "@azure/keyvault-certificates",
    "pg-boss",
    "nodemailer",
    // One copy per process of the metrics registry and the OpenTelemetry SDK (lib/observability), loaded by Node.
    "prom-client",
    "@opentelemetry/api",
    "@opentelemetry/sdk-node",
    "@opentelemetry/sdk-trace",
    "@opentelemetry/context-async-hooks",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/instrumentation-undici",
  ],
  poweredByHeader: false,
  // forbidden() → app/forbidden.tsx with HTTP 403, for pages a signed-in user may not see.
  experimental: { authInterrupts: true },
  reactStrictMode: true,
};

export default nextConfig;
