// The page's build and dev server. Workspace packages resolve to their TypeScript sources (the
// "@campaigns/source" condition, as everywhere in this repository), so nothing is built first.
// The dev server and `vite preview` forward /graphql and /graphql/stream to the gateway: the page
// and the API share one origin, so the browser sends no cross-origin request.
//
// Neither server has a CORS policy of its own (`cors: false`): Vite's default would approve any
// localhost origin, past the gateway's CORS_ORIGINS, which stays the only policy. The dev server
// serves files only from what the page is built from (`fs.allow`), so no other file of the
// repository (a token file, say) can be read through /@fs/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

const WEB_ROOT = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(WEB_ROOT, '../..');

/** The folders the dev server may serve: the page, the sources it imports, the dependencies. */
export const SERVED_FOLDERS = [
  WEB_ROOT,
  path.join(REPO_ROOT, 'packages/campaigns-core/src'),
  path.join(REPO_ROOT, 'packages/campaigns-graphql/src'),
  path.join(REPO_ROOT, 'node_modules'),
];

/** Where the dev server and the preview forward /graphql (the gateway `npm start` runs). */
const gateway = process.env.GATEWAY_ORIGIN ?? 'http://127.0.0.1:4000';

/** /graphql and /graphql/stream to the gateway. Server-sent events pass through unbuffered. */
export function gatewayProxy(target: string) {
  return { '/graphql': { target, changeOrigin: false } };
}

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['@campaigns/source', ...defaultClientConditions] },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: false,
    proxy: gatewayProxy(gateway),
    cors: false,
    fs: { strict: true, allow: SERVED_FOLDERS },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    strictPort: false,
    proxy: gatewayProxy(gateway),
    cors: false,
  },
  build: { outDir: 'dist', sourcemap: true, emptyOutDir: true },
});
