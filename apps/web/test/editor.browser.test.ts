// The bulk editor in a real Chromium, against the real gateway and simulator (see stack.ts):
// nothing mocked between the page and HubSpot's stand-in; the simulator itself refuses the two
// campaigns (`sim.refuse`).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests } from './chromium';
import {
  HUBSPOT_TOKEN,
  REFUSAL,
  WEB_ROOT,
  buildPage,
  filesOf,
  findToken,
  removeBuild,
  startWebStack,
  type WebStack,
} from './stack';
import { runningInCI } from '@campaigns/testing';

const browserCheck = chromiumForTests({
  ci: runningInCI(process.env),
  what: 'the browser tests of apps/web (the bulk editor in Chromium)',
  path: process.env.PATH,
});

/** Where the screenshot of the results view goes (git-ignored). */
const ARTIFACTS = path.join(WEB_ROOT, 'artifacts');

describe.skipIf(!browserCheck.available)('the bulk editor in Chromium', () => {
  let outDir: string;
  let stack: WebStack;
  let browser: Browser;

  beforeAll(async () => {
    outDir = await buildPage();
    stack = await startWebStack(outDir);
    browser = await chromium.launch({
      executablePath: browserCheck.executable!,
      // Chromium refuses its sandbox to root (CI containers run as root).
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (outDir) await removeBuild(outDir);
  });

  /**
   * A page that records what it shows and receives: each change of (percent shown, results
   * table present, polling note present), and the text of every event stream it reads (through
   * its own fetch, which graphql-sse uses).
   */
  async function instrumentedPage(options?: Parameters<Browser['newPage']>[0]): Promise<Page> {
    const page = await browser.newPage(options);
    await page.addInitScript(() => {
      const w = window as unknown as { __streams: Array<{ text: string }>; __seen: string[] };
      w.__streams = [];
      w.__seen = [];
      const original = window.fetch.bind(window);
      window.fetch = async (input, init) => {
        const response = await original(input, init);
        const url =
          typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (!url.includes('/graphql/stream') || !response.body) return response;
        const [mine, theirs] = response.body.tee();
        const entry = { text: '' };
        w.__streams.push(entry);
        void (async () => {
          const reader = mine.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            entry.text += value;
          }
        })().catch(() => undefined);
        return new Response(theirs, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      };
      new MutationObserver(() => {
        const percent = document.querySelector('[data-testid="job-percent"]')?.textContent ?? '';
        const results = document.querySelector('table[aria-label="Results"]') !== null;
        const polling = (document.body?.textContent ?? '').includes('read every second');
        const state = `${percent}|${results}|${polling}`;
        if (w.__seen.at(-1) !== state) w.__seen.push(state);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    return page;
  }

  const seenStates = (page: Page) =>
    page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
  const streamTexts = (page: Page) =>
    page.evaluate(() =>
      (window as unknown as { __streams: Array<{ text: string }> }).__streams.map((s) => s.text),
    );

  /** The names of the checked campaigns of the current page. */
  async function checkedNames(page: Page): Promise<string[]> {
    return page
      .getByRole('table', { name: 'Campaigns' })
      .locator('tbody input[type=checkbox]:checked')
      .evaluateAll((boxes) =>
        boxes.map((box) => (box.getAttribute('aria-label') ?? '').replace(/^Select /, '')),
      );
  }

  async function waitForPage(page: Page, n: number) {
    await page.getByText(new RegExp(`^Page ${n} of \\d+$`)).waitFor();
    await page.locator('table[aria-label="Campaigns"][aria-busy="false"]').waitFor();
  }

  it('selects 120 campaigns across pages, sets hs_notes, lists the 2 refused with the reason, and retries them', async () => {
    const { sim } = stack;
    const idByName = new Map(sim.store.list().map((c) => [c.properties.hs_name!, c.id]));
    const term = '2025';
    const matching = sim.store.list().filter((c) => c.properties.hs_name!.includes(term));
    expect(matching.length).toBeGreaterThan(120);

    const page = await instrumentedPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(stack.pageUrl);
    await page.getByLabel('Campaign name contains').fill(term);
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${matching.length} campaigns match` })
      .waitFor();
    await waitForPage(page, 1);

    const names: string[] = [];
    await page.getByLabel('Select all on this page').check();
    names.push(...(await checkedNames(page)));
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitForPage(page, 2);
    await page.getByLabel('Select all on this page').check();
    names.push(...(await checkedNames(page)));
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitForPage(page, 3);
    const rowBoxes = page.getByRole('table', { name: 'Campaigns' }).locator('tbody input');
    for (let i = 0; i < 20; i++) await rowBoxes.nth(i).check();
    names.push(...(await checkedNames(page)));
    await page.getByText('120 selected').waitFor();

    const ids = names.map((name) => idByName.get(name)!);
    expect(new Set(ids).size).toBe(120);
    expect(ids.every((id) => id !== undefined && matching.some((c) => c.id === id))).toBe(true);
    const refusedIds = [ids[7]!, ids[110]!];
    // HubSpot refuses these two once: the first job reports them, the retry goes through.
    sim.refuse(refusedIds, { ...REFUSAL, times: 1 });

    const notes = 'Reviewed in the bulk editor';
    await page.getByLabel('Property', { exact: true }).fill('hs_notes');
    // An empty value would reset hs_notes on all 120: not without ticking "Reset".
    const setButton = page.getByRole('button', { name: 'Set hs_notes on 120 campaigns' });
    expect(await setButton.isDisabled()).toBe(true);
    expect(await setButton.getAttribute('aria-describedby')).toBe('change-value-problem');
    await page.locator('#change-value-problem').getByText('tick "Reset the property"').waitFor();
    await page.getByLabel('Value', { exact: true }).fill(notes);
    await page.getByRole('button', { name: 'Set hs_notes on 120 campaigns' }).click();

    // Progress reaches 100%, followed live on the event stream (no fallback to reading the job),
    // shown before the results are: the page reported it, not just drew it with the results.
    const results = page.getByRole('table', { name: 'Results' });
    await results.waitFor();
    const states = await seenStates(page);
    expect(states).toContain('100%|false|false');
    expect(states.indexOf('100%|false|false')).toBeLessThan(states.indexOf('100%|true|false'));
    expect(states.every((state) => !state.endsWith('|true'))).toBe(true);
    expect(await page.getByTestId('job-percent').textContent()).toBe('100%');
    expect(
      await page.locator('#job-progress').evaluate((p: HTMLProgressElement) => [p.value, p.max]),
    ).toEqual([120, 120]);
    expect(await page.getByTestId('job-status').textContent()).toBe('COMPLETE');
    await expect(page.getByText('read every second').count()).resolves.toBe(0);
    await page.getByText('118 succeeded, 2 failed', { exact: true }).waitFor();

    const failedRows = results.locator('tbody tr.failed');
    expect(await failedRows.count()).toBe(2);
    const failed = await failedRows.evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(failed.map((cells) => cells[2]).sort()).toEqual([...refusedIds].sort());
    for (const cells of failed) {
      expect(cells[0]).toBe('Failed');
      expect(cells[3]).toContain(REFUSAL.message);
      expect(names).toContain(cells[1]);
    }
    expect(await results.locator('tbody tr.ok').count()).toBe(118);

    await mkdir(ARTIFACTS, { recursive: true });
    await page
      .getByRole('region', { name: '3. Job' })
      .screenshot({ path: path.join(ARTIFACTS, 'results.png') });

    // The refusals were for one batch each: HubSpot accepts them now, and the retry is a new job
    // of just those two.
    for (const id of refusedIds) expect(sim.store.get(id)!.properties.hs_notes).not.toBe(notes);
    await page.getByRole('button', { name: 'Retry the 2 failed' }).click();
    await page.getByText('2 succeeded, 0 failed', { exact: true }).waitFor();
    expect(await results.locator('tbody tr.ok').count()).toBe(2);
    expect(await results.locator('tbody tr.failed').count()).toBe(0);

    // The simulator's own state: the 120 have the note, the others kept theirs.
    const selected = new Set(ids);
    for (const campaign of sim.store.list())
      if (selected.has(campaign.id)) expect(campaign.properties.hs_notes).toBe(notes);
      else expect(campaign.properties.hs_notes).not.toBe(notes);
    await page.close();
  });

  it('falls back to reading the job when the event stream is refused, and still reaches the results', async () => {
    const { sim } = stack;
    const page = await instrumentedPage();
    let refusedStreams = 0;
    // A proxy that does not pass event streams on.
    await page.route('**/graphql/stream', (route) => {
      refusedStreams++;
      return route.fulfill({ status: 503, body: 'no streams here' });
    });
    await page.goto(stack.pageUrl);
    await waitForPage(page, 1);
    await page.getByLabel('Select all on this page').check();
    const names = await checkedNames(page);
    await page.getByText(`${names.length} selected`).waitFor();
    const goal = 'Read by polling';
    await page.getByLabel('Property', { exact: true }).fill('hs_goal');
    await page.getByLabel('Value', { exact: true }).fill(goal);
    await page.getByRole('button', { name: `Set hs_goal on ${names.length} campaigns` }).click();
    await page.getByText(`${names.length} succeeded, 0 failed`, { exact: true }).waitFor();
    const states = await seenStates(page);
    // The polling note, with 100%, before the results.
    expect(states.indexOf('100%|false|true')).toBeGreaterThanOrEqual(0);
    expect(states.indexOf('100%|false|true')).toBeLessThan(states.indexOf('100%|true|true'));
    expect(refusedStreams).toBeGreaterThan(0);
    const idByName = new Map(sim.store.list().map((c) => [c.properties.hs_name!, c.id]));
    for (const name of names)
      expect(sim.store.get(idByName.get(name)!)!.properties.hs_goal).toBe(goal);
    await page.close();
  });

  it('refuses a CSV row by row before sending, runs it once fixed, talks only to the gateway and never sees the token', async () => {
    const { sim } = stack;
    const requests: Array<{ url: string; method: string; body: string }> = [];
    const bodies: Array<Promise<string>> = [];
    const page = await instrumentedPage();
    page.on('request', (request) =>
      requests.push({
        url: request.url(),
        method: request.method(),
        body: request.postData() ?? '',
      }),
    );
    page.on('response', (response) =>
      bodies.push(
        response.body().then(
          (body) => body.toString('utf8'),
          () => '',
        ),
      ),
    );
    await page.goto(stack.pageUrl);
    await page.getByRole('table', { name: 'Campaigns' }).locator('tbody input').first().waitFor();

    // "Select all matching" collects every page of the search, with a count, and replaces the
    // selection (a campaign selected before, not matching, is no longer selected).
    const firstRows = page.getByRole('table', { name: 'Campaigns' }).locator('tbody tr');
    const other = firstRows.filter({ hasNotText: /summer/i }).first();
    await other.locator('input[type=checkbox]').check();
    await page.getByText(/^1 selected$/).waitFor();
    await page.getByLabel('Campaign name contains').fill('Summer');
    await page.getByRole('button', { name: 'Search' }).click();
    const summer = sim.store.list().filter((c) => /summer/i.test(c.properties.hs_name!));
    await page
      .getByRole('status')
      .filter({ hasText: `${summer.length} campaigns match` })
      .waitFor();
    await page.getByRole('button', { name: `Select all ${summer.length} matching` }).click();
    await page.getByText(new RegExp(`^${summer.length} selected$`)).waitFor();

    const [a, b, c] = sim.store.list().map((campaign) => campaign.id) as [string, string, string];
    await page.getByLabel('A CSV of id,property,value rows').check();
    const csv = page.getByLabel(/^CSV rows/);
    await csv.fill(
      [
        'id,property,value',
        `${a},hs_goal,"1,000 sign-ups"`,
        `${b},HS Notes,x`,
        `,hs_notes,x`,
        `${c},hs_notes`,
        `${a},hs_goal,again`,
      ].join('\n'),
    );
    const problems = page.getByRole('table', { name: 'CSV problems' });
    await problems.waitFor();
    const rows = await problems
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent));
    expect(rows).toEqual(['3', '4', '5', '6']);
    expect(await page.getByRole('button', { name: 'Send the CSV as a job' }).isDisabled()).toBe(
      true,
    );

    await csv.fill(
      [
        'id,property,value',
        `${a},hs_goal,"1,000 sign-ups"`,
        `${b},hs_notes,"two lines:\nfrom a CSV"`,
        `${c},hs_audience,`,
      ].join('\r\n'),
    );
    await page.getByText('3 changes (1 reset) on 3 campaigns: ready to send.').waitFor();
    await page.getByRole('button', { name: 'Send the CSV as a job' }).click();
    await page.getByText('3 succeeded, 0 failed', { exact: true }).waitFor();
    expect(sim.store.get(a)!.properties.hs_goal).toBe('1,000 sign-ups');
    expect(sim.store.get(b)!.properties.hs_notes).toBe('two lines:\nfrom a CSV');
    expect(sim.store.get(c)!.properties.hs_audience).toBeUndefined();
    // The event stream's frames, as the page read them.
    const streams = await streamTexts(page);
    expect(streams.join('\n')).toContain('campaignUpdateJobProgress');
    await page.close();

    // Every request went to the page's origin, whose only API is the gateway's: /graphql and
    // its event stream. None to HubSpot (nor to the simulator standing in for it).
    expect(requests.length).toBeGreaterThan(5);
    for (const request of requests) {
      const url = new URL(request.url);
      expect(url.origin).toBe(stack.pageOrigin);
      if (request.method !== 'GET') expect(['/graphql', '/graphql/stream']).toContain(url.pathname);
    }
    expect(requests.some((r) => r.url.endsWith('/graphql/stream'))).toBe(true);

    // The token is in no response the page received (event streams included), no request it
    // sent, and not in the bundle, built with the token in its environment and a .env file.
    const received = await Promise.all(bodies);
    expect(received.join('\n')).toContain('campaignList');
    const texts: Array<[string, string]> = [
      ...received.map((text, i): [string, string] => [`response ${i}`, text]),
      ...streams.map((text, i): [string, string] => [`stream ${i}`, text]),
      ...requests.map((r, i): [string, string] => [`request ${i} ${r.url}`, r.body]),
    ];
    expect(findToken(texts, HUBSPOT_TOKEN)).toEqual([]);
    const built = await filesOf(outDir);
    expect(built.some(([file]) => file.endsWith('.js'))).toBe(true);
    expect(findToken(built, HUBSPOT_TOKEN)).toEqual([]);
  });
});
