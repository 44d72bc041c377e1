// The ways of pushing one bulk update through HubSpot's limits that the throughput benchmark
// compares, each used the way its documentation shows a careful user would.
import { updateCampaigns, type UpdateInput } from '@campaigns/core';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import { Client, DEFAULT_LIMITER_OPTIONS } from '@hubspot/api-client';

export interface ContenderResult {
  /** Ids the contender itself reported as failed (non-2xx, thrown, or in a batch error). */
  reportedFailed: number;
  retries?: number;
  requests?: number;
}

export interface Contender {
  name: string;
  run(url: string, inputs: UpdateInput[], timeoutMs: number): Promise<ContenderResult>;
}

const PATH = '/marketing/v3/campaigns/batch/update';

function chunks<T>(items: T[], size = 50): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Failed ids in one batch answer: all of them for a non-2xx, the named ones for a 207. */
async function failedIn(response: Response, sent: number): Promise<number> {
  if (!response.ok) return sent;
  if (response.status !== 207) return 0;
  const body = (await response.json()) as { results?: unknown[] };
  return sent - (body.results?.length ?? 0);
}

export const ourCore: Contender = {
  name: 'campaigns-core',
  async run(url, inputs, timeoutMs) {
    const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: url, timeoutMs });
    const outcome = await updateCampaigns(client, inputs);
    return {
      reportedFailed: outcome.numErrors,
      retries: outcome.stats.retries,
      requests: outcome.stats.requests,
    };
  },
};

function officialSdk(name: string, config: ConstructorParameters<typeof Client>[0]): Contender {
  return {
    name,
    async run(url, inputs) {
      const client = new Client({ accessToken: DEFAULT_SIM_TOKEN, basePath: url, ...config });
      let failed = 0;
      await Promise.all(
        chunks(inputs).map(async (batch) => {
          try {
            const response = await client.apiRequest({
              method: 'POST',
              path: PATH,
              body: { inputs: batch },
            });
            failed += await failedIn(response as unknown as Response, batch.length);
          } catch {
            failed += batch.length;
          }
        }),
      );
      return { reportedFailed: failed };
    },
  };
}

/** `@hubspot/api-client` 13 as its README shows a careful user: the default limiter and 6 retries. */
export const sdkCareful = officialSdk('@hubspot/api-client (DEFAULT_LIMITER_OPTIONS, 6 retries)', {
  limiterOptions: DEFAULT_LIMITER_OPTIONS,
  numberOfApiCallRetries: 6,
});

/**
 * `@hubspot/api-client` 13 as a user who read HubSpot's limits would tune it: the SDK's own
 * Bottleneck limiter (`limiterOptions`) spacing requests by the account's window ÷ limit, 6 in
 * flight (as its defaults), and 6 retries. The best a careful SDK user would do without writing
 * a limiter of their own.
 */
export function sdkTuned(limit: number, intervalMs: number): Contender {
  const minTime = intervalMs / limit;
  return officialSdk(
    `@hubspot/api-client (tuned: minTime ${intervalMs}/${limit} = ${minTime.toFixed(1)} ms, maxConcurrent 6, 6 retries)`,
    {
      limiterOptions: { minTime, maxConcurrent: 6, id: 'bench-tuned-limiter' },
      numberOfApiCallRetries: 6,
    },
  );
}

/** `@hubspot/api-client` 13 out of the box: no limiter, no retries. */
export const sdkDefault = officialSdk('@hubspot/api-client (out of the box)', {});

/** A plain loop: one 50-item call after the other, no retries. */
export const naiveLoop: Contender = {
  name: 'naive sequential loop',
  async run(url, inputs) {
    let failed = 0;
    for (const batch of chunks(inputs)) {
      try {
        const response = await fetch(url + PATH, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${DEFAULT_SIM_TOKEN}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ inputs: batch }),
        });
        failed += await failedIn(response, batch.length);
      } catch {
        failed += batch.length;
      }
    }
    return { reportedFailed: failed };
  },
};
