// The bulk editor as deployed in production, in a real Chromium: the built page on an origin of
// its own (a static host, no proxy), whose host script sets window.campaignsEditor to the
// gateway's absolute URL and a getAccessToken returning the signed-in caller's JWT; the gateway
// verifies it against a JWKS (AUTH_MODE=jwt), allows the page's origin only (CORS_ORIGINS), runs
// trusted documents only with CSRF prevention on. See startProductionStack in stack.ts.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests } from './chromium';
import {
  HUBSPOT_TOKEN,
  buildPage,
  callerToken,
  findToken,
  removeBuild,
  startProductionStack,
  type ProductionStack,
} from './stack';
import { runningInCI } from '@campaigns/testing';

const browserCheck = chromiumForTests({
  ci: runningInCI(process.env),
  what: 'the production browser tests of apps/web (cross-origin page, JWT, CORS)',
  path: process.env.PATH,
});

/** What the page's request looked like, as Chromium sent it. */
interface SeenRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

describe.skipIf(!browserCheck.available)(
  'the bulk editor in production, cross-origin with a JWT',
  () => {
    let outDir: string;
    let stack: ProductionStack;
    let browser: Browser;

    beforeAll(async () => {
      [outDir, browser] = await Promise.all([
        buildPage(),
        chromium.launch({
          executablePath: browserCheck.executable!,
          // Chromium refuses its sandbox to root (CI containers run as root).
          args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
        }),
      ]);
      stack = await startProductionStack(outDir);
    });

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
      if (outDir) await removeBuild(outDir);
    });

    /** A new page that records its requests (all headers) and the bodies it received. */
    async function recordedPage() {
      const page = await browser.newPage();
      const requests: Array<Promise<SeenRequest>> = [];
      const bodies: Array<Promise<string>> = [];
      page.on('request', (request) =>
        requests.push(
          request.allHeaders().then((headers) => ({
            url: request.url(),
            method: request.method(),
            headers,
            body: request.postData() ?? '',
          })),
        ),
      );
      /** The Access-Control-Allow-Origin of each answer, by URL. */
      const allowed: Array<[string, string | undefined]> = [];
      page.on('response', (response) => {
        allowed.push([response.url(), response.headers()['access-control-allow-origin']]);
        bodies.push(
          response.body().then(
            (body) => body.toString('utf8'),
            () => '',
          ),
        );
      });
      return {
        page,
        allowed,
        requests: () => Promise.all(requests),
        bodies: () => Promise.all(bodies),
      };
    }

    const accessTokenCalls = (page: Page) =>
      page.evaluate(() => (window as unknown as { accessTokenCalls: number }).accessTokenCalls);

    /** The simulator's campaigns, as they are now. */
    const simState = () => JSON.stringify(stack.sim.store.list());

    /** The page's error message, once shown. */
    async function shownError(page: Page): Promise<string> {
      const alert = page.getByRole('alert');
      await alert.waitFor();
      return (await alert.textContent()) ?? '';
    }

    it('runs a job against the gateway on another origin: JWT on every API request, live progress, nothing of HubSpot in the browser', async () => {
      const { sim, gateway, page: host } = stack;
      const token = callerToken(stack.issuer);
      host.settings = { endpoint: gateway.url, token };
      expect(new URL(gateway.url).origin).not.toBe(host.origin);
      // The page's own origin has no route to the API: no proxy.
      expect((await fetch(`${host.origin}/graphql`, { method: 'POST' })).status).toBe(405);

      const term = 'Summer';
      const matching = sim.store.list().filter((c) => c.properties.hs_name!.includes(term));
      expect(matching.length).toBeGreaterThan(3);
      const { page, requests, bodies, allowed } = await recordedPage();
      await page.goto(host.url);
      await page.getByLabel('Campaign name contains').fill(term);
      await page.getByRole('button', { name: 'Search' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${matching.length} campaigns match` })
        .waitFor();
      await page.locator('table[aria-label="Campaigns"][aria-busy="false"]').waitFor();
      const boxes = page.getByRole('table', { name: 'Campaigns' }).locator('tbody input');
      for (let i = 0; i < 3; i++) await boxes.nth(i).check();
      await page.getByText('3 selected').waitFor();
      const names = await page
        .getByRole('table', { name: 'Campaigns' })
        .locator('tbody input[type=checkbox]:checked')
        .evaluateAll((checked) =>
          checked.map((box) => (box.getAttribute('aria-label') ?? '').replace(/^Select /, '')),
        );
      const ids = names.map(
        (name) => sim.store.list().find((c) => c.properties.hs_name === name)!.id,
      );
      expect(ids).toHaveLength(3);

      const notes = 'Set from another origin with a JWT';
      await page.getByLabel('Property', { exact: true }).fill('hs_notes');
      await page.getByLabel('Value', { exact: true }).fill(notes);
      await page.getByRole('button', { name: 'Set hs_notes on 3 campaigns' }).click();
      await page.getByText('3 succeeded, 0 failed', { exact: true }).waitFor();
      expect(await page.getByTestId('job-percent').textContent()).toBe('100%');
      expect(await page.getByTestId('job-status').textContent()).toBe('COMPLETE');
      // Followed live on the event stream, not by reading the job.
      expect(await page.getByText('read every second').count()).toBe(0);
      for (const id of ids) expect(sim.store.get(id)!.properties.hs_notes).toBe(notes);
      expect(sim.store.list().filter((c) => c.properties.hs_notes === notes)).toHaveLength(3);

      const calls = await accessTokenCalls(page);
      const dom = await page.content();
      await page.close();

      // Static files from the page's origin, the API from the gateway's, nothing anywhere else.
      const seen = await requests();
      const api = seen.filter((r) => new URL(r.url).origin !== host.origin);
      for (const request of seen) {
        const url = new URL(request.url);
        if (url.origin === host.origin) {
          expect(request.method).toBe('GET');
          expect(request.headers.authorization).toBeUndefined();
        } else {
          expect(url.origin).toBe(gateway.origin);
          expect(request.method).toBe('POST');
          expect(['/graphql', '/graphql/stream']).toContain(url.pathname);
          expect(request.headers.authorization).toBe(`Bearer ${token}`);
          expect(request.headers.origin).toBe(host.origin);
        }
      }
      expect(api.filter((r) => r.url === gateway.url).length).toBeGreaterThan(2);
      expect(api.some((r) => r.url === `${gateway.url}/stream`)).toBe(true);
      // The gateway allowed the page's origin (CORS) on each of its answers.
      const answers = allowed.filter(([url]) => new URL(url).origin === gateway.origin);
      expect(answers).toHaveLength(api.length);
      expect(answers.every(([, origin]) => origin === host.origin)).toBe(true);
      // The hook was asked before every API request (the stream's included).
      expect(calls).toBeGreaterThanOrEqual(api.length);

      const received = await bodies();
      expect(received.join('\n')).toContain('campaignUpdateJobProgress');
      const texts: Array<[string, string]> = [
        ['DOM', dom],
        ...received.map((text, i): [string, string] => [`response ${i}`, text]),
        ...seen.map((r, i): [string, string] => [
          `request ${i} ${r.url}`,
          `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`,
        ]),
      ];
      expect(findToken(texts, HUBSPOT_TOKEN)).toEqual([]);
    });

    it('shows a clear error, and sends nothing to HubSpot, when the gateway does not allow the page’s origin', async () => {
      const other = await stack.startGateway('https://editor.example.com');
      stack.page.settings = { endpoint: other.url, token: callerToken(stack.issuer) };
      const before = { state: simState(), requests: stack.sim.stats().totalRequests };
      const { page, requests } = await recordedPage();
      await page.goto(stack.page.url);
      expect(await shownError(page)).toBe(
        `the gateway at ${other.url} could not be reached: it is down, or it does not allow this page's origin (${stack.page.origin}), which its CORS_ORIGINS must list`,
      );
      // Not an endless spinner: the list is not loading, and has nothing to select.
      await page.locator('table[aria-label="Campaigns"][aria-busy="false"]').waitFor();
      expect(
        await page.getByRole('table', { name: 'Campaigns' }).locator('tbody input').count(),
      ).toBe(0);
      expect(await accessTokenCalls(page)).toBeGreaterThan(0);
      await page.close();
      expect((await requests()).some((r) => r.url === other.url)).toBe(true);
      expect(stack.sim.stats().totalRequests).toBe(before.requests);
      expect(simState()).toBe(before.state);
    });

    it('says the sign-in was refused for an expired token and for one from another issuer', async () => {
      const now = Math.floor(Date.now() / 1000);
      const refused = [
        {
          token: callerToken(stack.issuer, { iat: now - 600, exp: now - 300 }),
          reason: 'the token has expired',
        },
        {
          token: callerToken(stack.issuer, { iss: 'https://elsewhere.example/' }),
          reason: 'the token\'s "iss" claim is not valid here',
        },
      ];
      const before = { state: simState(), requests: stack.sim.stats().totalRequests };
      for (const { token, reason } of refused) {
        stack.page.settings = { endpoint: stack.gateway.url, token };
        const { page } = await recordedPage();
        await page.goto(stack.page.url);
        const message = await shownError(page);
        expect(message).toMatch(/^the gateway refused the sign-in: /);
        expect(message).toContain(reason);
        expect(message).toContain('Sign in again');
        expect(message).not.toContain(token);
        expect(await accessTokenCalls(page)).toBeGreaterThan(0);
        await page.close();
      }
      expect(stack.sim.stats().totalRequests).toBe(before.requests);
      expect(simState()).toBe(before.state);
    });
  },
);
