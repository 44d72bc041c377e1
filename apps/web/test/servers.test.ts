// The dev server and the preview add no CORS approval of their own (the gateway's CORS_ORIGINS is
// the only policy), and the dev server serves no repository file outside what the page needs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEditorDevServer, type EditorDevServer } from '../dev-server';
import { gatewayProxy } from '../vite.config';
import { WEB_ROOT } from './stack';

const REPO_ROOT = path.resolve(WEB_ROOT, '../..');
const FOREIGN = 'http://localhost:3000';

/** A stand-in gateway with no CORS approval: preflights get 403, the rest an empty result. */
let gateway: Server;
let gatewayOrigin: string;
const seen: IncomingHttpHeaders[] = [];
let dev: EditorDevServer;
let previewServer: PreviewServer;
let previewUrl: string;
let outDir: string;

beforeAll(async () => {
  gateway = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    if (req.method === 'OPTIONS') res.writeHead(403).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}');
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayOrigin = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  dev = await startEditorDevServer({ gatewayOrigin, port: 0 });
  outDir = await mkdtemp(path.join(tmpdir(), 'campaigns-web-preview-'));
  await writeFile(path.join(outDir, 'index.html'), '<!doctype html><title>t</title>');
  previewServer = await preview({
    root: WEB_ROOT,
    configFile: path.join(WEB_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir },
    preview: { port: 0, strictPort: false, proxy: gatewayProxy(gatewayOrigin) },
  });
  previewUrl = previewServer.resolvedUrls!.local[0]!;
});

afterAll(async () => {
  await dev?.close();
  await previewServer?.close();
  await new Promise((resolve) => gateway?.close(resolve));
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe.each([
  ['the dev server', () => dev.url],
  ['the preview', () => previewUrl],
])('%s', (_, url) => {
  it('approves no foreign origin: preflight and request go to the gateway, which decides', async () => {
    const preflight = await fetch(new URL('/graphql', url()), {
      method: 'OPTIONS',
      headers: {
        origin: FOREIGN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).toBe(403);
    const post = await fetch(new URL('/graphql', url()), {
      method: 'POST',
      headers: { origin: FOREIGN, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
    const page = await fetch(url(), { headers: { origin: FOREIGN } });
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the dev server', () => {
  it('serves the page’s sources but no other repository file through /@fs/', async () => {
    const get = (file: string) => fetch(new URL(`/@fs${file}`, dev.url));
    expect((await get(path.join(WEB_ROOT, 'src/limits.ts'))).status).toBe(200);
    expect(
      (await get(path.join(REPO_ROOT, 'packages/campaigns-graphql/src/index.ts'))).status,
    ).toBe(200);
    for (const file of [
      path.join(REPO_ROOT, 'package.json'),
      path.join(REPO_ROOT, 'apps/gateway/src/config.ts'),
      path.join(REPO_ROOT, 'packages/campaigns-core/package.json'),
    ])
      expect({ file, status: (await get(file)).status }).toEqual({ file, status: 403 });
  });
});
