// The page's build and dev server. Workspace packages resolve to their TypeScript sources (the
// "@campaigns/source" condition, as everywhere in this repository), so nothing is built first.
// The dev server and `vite preview` forward /graphql and /graphql/stream to the gateway: the page
// and the API share one origin, so the browser sends no cross-origin request.
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

/** Where the dev server and the preview forward /graphql (the gateway `npm start` runs). */
const gateway = process.env.GATEWAY_ORIGIN ?? 'http://127.0.0.1:4000';

/** /graphql and /graphql/stream to the gateway. Server-sent events pass through unbuffered. */
export function gatewayProxy(target: string) {
  return { '/graphql': { target, changeOrigin: false } };
}

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['@campaigns/source', ...defaultClientConditions] },
  server: { host: '127.0.0.1', port: 5173, strictPort: false, proxy: gatewayProxy(gateway) },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false, proxy: gatewayProxy(gateway) },
  build: { outDir: 'dist', sourcemap: true, emptyOutDir: true },
});
