// What `npm start` prints for people: where the GraphQL endpoint is, and a mutation to paste.

/** A copy-paste curl of the updateCampaigns mutation against `url`, updating `ids`. */
export function curlExample(
  url: string,
  ids: readonly string[],
  headers: readonly string[] = [],
): string {
  const query =
    'mutation Update($inputs: [CampaignUpdateInput!]!) { updateCampaigns(inputs: $inputs) { status numErrors results { id name: property(name: "hs_name") notes: property(name: "hs_notes") businessUnits { id } updatedAt } errors { ids category message } } }';
  const inputs = ids.map((id, i) => ({
    id,
    properties: [{ name: 'hs_notes', value: `Updated through the gateway (${i + 1})` }],
  }));
  const body = JSON.stringify({ query, variables: { inputs } });
  // Single quotes protect the JSON from the shell; the body contains none.
  return [
    `curl -s ${url}`,
    `  -H 'content-type: application/json'`,
    ...headers.map((h) => `  -H '${h}'`),
    `  --data '${body}'`,
  ].join(' \\\n');
}

export function startBanner(options: {
  url: string;
  origin: string;
  /** The METRICS_PORT listener's origin, when /metrics is served there. */
  metricsOrigin?: string | undefined;
  simulator?: { url: string; ids: string[] };
  authNone: boolean;
}): string {
  const lines = [
    '',
    `  GraphQL gateway ready: ${options.url}`,
    `  health: ${options.origin}/healthz   readiness: ${options.origin}/readyz   metrics: ${options.metricsOrigin ?? options.origin}/metrics`,
  ];
  if (options.simulator) {
    lines.push(
      `  HubSpot: embedded simulator at ${options.simulator.url} (set HUBSPOT_TOKEN to talk to HubSpot)`,
    );
  }
  if (options.authNone)
    lines.push('  Callers: AUTH_MODE=none (loopback only): no credentials needed');
  if (options.simulator && options.simulator.ids.length > 0) {
    lines.push(
      '',
      '  Try it:',
      '',
      curlExample(options.url, options.simulator.ids).replace(/^/gm, '    '),
    );
  }
  lines.push('', '  Ctrl-C (SIGINT) or SIGTERM drains in-flight mutations, then exits.', '');
  return lines.join('\n');
}
