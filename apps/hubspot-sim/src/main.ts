// `nx serve hubspot-sim`: runs one simulator until Ctrl-C. The only place that reads flags and
// environment; everything else takes typed options.
import { parseArgs } from 'node:util';
import { DEFAULT_SIM_TOKEN } from './auth.js';
import { startHubSpotSim } from './server.js';
import { DEFAULT_API_VERSION } from './spec.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    campaigns: { type: 'string' },
    spec: { type: 'string' },
    'api-version': { type: 'string' },
  },
});

const spec = values.spec ?? process.env.HUBSPOT_SIM_SPEC;
const apiVersion = spec
  ? undefined
  : (values['api-version'] ?? process.env.HUBSPOT_SIM_API_VERSION);

const sim = await startHubSpotSim({
  port: integer('port', values.port ?? process.env.HUBSPOT_SIM_PORT ?? '4010'),
  ...(values.host === undefined ? {} : { host: values.host }),
  ...(values.seed === undefined ? {} : { seed: integer('seed', values.seed) }),
  ...(values.campaigns === undefined ? {} : { campaigns: integer('campaigns', values.campaigns) }),
  ...(spec ? { spec } : {}),
  ...(apiVersion ? { apiVersion } : {}),
});

console.log(`HubSpot simulator listening on ${sim.url}`);
console.log(
  `  API root  ${sim.apiRoots?.map((root) => `${sim.url}${root}`).join(', ') ?? `${sim.url} + any version's root`}`,
);
console.log(
  `  spec      ${spec ?? `openapi/${apiVersion ?? DEFAULT_API_VERSION}/ (+ openapi/overlay.yaml)`}`,
);
if (sim.notImplemented.length > 0)
  console.log(`  501       ${sim.notImplemented.join(', ')} (declared, not modelled)`);
console.log(`  token     ${DEFAULT_SIM_TOKEN}`);
console.log(`  admin     ${sim.url}/__sim/stats`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void sim.close().then(() => process.exit(0)));
}

function integer(name: string, raw: string): number {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
    console.error(`hubspot-sim: --${name} must be an integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}
