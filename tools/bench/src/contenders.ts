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

/** The benchmark runs on v3 (the simulator's default spec); `failedIn` reads any version's answer. */
const PATH = '/marketing/v3/campaigns/batch/update';

function chunks<T>(items: T[], size = 50): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Failed ids in one batch answer: all of them for a non-2xx; for a 2xx, those it names in `errors`
 * (v3's 207, or a date version's 200 with errors folded in), else those without a result. A 2xx
 * without a body (204) failed none.
 */
export async function failedIn(response: Response, sent: number): Promise<number> {
  if (!response.ok) return sent;
  const text = await response.text();
  if (text === '') return 0;
  let body: { results?: unknown[]; errors?: Array<{ context?: { ids?: unknown[] } }> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return sent;
  }
  const named = (body.errors ?? []).reduce((n, e) => n + (e.context?.ids?.length ?? 1), 0);
  return Math.max(named, sent - (body.results?.length ?? 0));
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
