/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native or WebAssembly database code is loaded by Node at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg", "@azure/msal-node", "@azure/identity", "@azure/keyvault-secrets", "@azure/keyvault-certificates", "pg-boss", "nodemailer"],
  poweredByHeader: false,
  // forbidden() → app/forbidden.tsx with HTTP 403, for pages a signed-in user may not see.
  experimental: { authInterrupts: true },
  reactStrictMode: true,
};

export default nextConfig;
