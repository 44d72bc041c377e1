// The scan for the HubSpot token in what the page is made of can fail: it finds a planted token,
// and a build that inlines the environment's token is caught. (The browser test scans the real
// build, the requests and the responses, event streams included.)
import { afterAll, describe, expect, it } from 'vitest';
import { buildPage, filesOf, findToken, HUBSPOT_TOKEN, removeBuild } from './stack';

const built: string[] = [];
afterAll(async () => {
  for (const dir of built) await removeBuild(dir);
});

describe('the token scan', () => {
  it('finds the token, or any token-shaped text, and nothing in clean text', () => {
    expect(findToken([['a.js', 'const x = 1;']], HUBSPOT_TOKEN)).toEqual([]);
    expect(
      findToken(
        [
          ['a.js', `fetch(u, {headers: {authorization: "Bearer ${HUBSPOT_TOKEN}"}})`],
          ['b.js', 'clean'],
          ['c.txt', 'data: {"t":"pat-eu1-0123abcd"}'],
        ],
        HUBSPOT_TOKEN,
      ),
    ).toEqual(['a.js', 'c.txt']);
  });

  it('catches a build that inlines the HubSpot token of the build’s environment', async () => {
    const leaky = await buildPage({
      plugins: [
        {
          name: 'leak-the-token',
          // The mistake the scan is for: reading the build's environment into the bundle.
          transform(code, id) {
            return id.endsWith('/src/main.tsx')
              ? `${code}\nconsole.debug(${JSON.stringify(process.env.HUBSPOT_TOKEN ?? '')});`
              : undefined;
          },
        },
      ],
    });
    built.push(leaky);
    const leaks = findToken(await filesOf(leaky), HUBSPOT_TOKEN);
    expect(leaks.some((file) => file.endsWith('.js'))).toBe(true);
  });
});
