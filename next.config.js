/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native or WebAssembly database code is loaded by Node at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg", "@azure/msal-node"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Types are checked once, by `npm run check` (tsc --noEmit over the whole repository).
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
