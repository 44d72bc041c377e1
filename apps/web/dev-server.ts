// The page on Vite's dev server, for `npm start` (tools/scripts/start.mjs): the sources with hot
// reload, /graphql and /graphql/stream forwarded to the gateway, so page and API share an origin.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Vite from 'vite';

const WEB_ROOT = path.dirname(fileURLToPath(import.meta.url));

export interface EditorDevServer {
  /** The page, e.g. `http://127.0.0.1:5173/`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the dev server on `port` (the next free one if taken) of 127.0.0.1, forwarding /graphql
 * to `gatewayOrigin`.
 */
export async function startEditorDevServer(options: {
  gatewayOrigin: string;
  port: number;
}): Promise<EditorDevServer> {
  // This project's own Vite (the one its config and plugins were installed with).
  const vitePath = createRequire(path.join(WEB_ROOT, 'package.json')).resolve('vite');
  const { createServer } = (await import(pathToFileURL(vitePath).href)) as typeof Vite;
  const { gatewayProxy } = await import('./vite.config');
  const server = await createServer({
    root: WEB_ROOT,
    configFile: path.join(WEB_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    server: { port: options.port, proxy: gatewayProxy(options.gatewayOrigin) },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) {
    await server.close();
    throw new Error('the dev server did not say where it listens');
  }
  return { url, close: () => server.close() };
}
