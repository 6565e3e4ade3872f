// Next.js settings for the rdv UI. The server is our own (src/server, built to dist/server.js):
// Next only renders pages and serves assets behind the edge's authentication.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const config = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The edge's responses are small or streams; compression would only delay SSE.
  compress: false,
  productionBrowserSourceMaps: false,
  // npm workspaces hoist packages to the repository root.
  turbopack: { root: join(here, '..', '..') },
  outputFileTracingRoot: join(here, '..', '..'),
};

export default config;
