// `npm start`: runs the GraphQL gateway (on the embedded HubSpot simulator unless HubSpot
// credentials are configured). Until the gateway app exists, says what is missing.
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const gatewayMain = path.join(root, 'apps/gateway/src/main.ts');

if (!existsSync(gatewayMain)) {
  console.error('npm start: the gateway (apps/gateway) is not built yet.');
  console.error(
    'What exists today: the typed client (packages/hubspot-client) and its code generator.',
  );
  console.error('Run `npm test` to exercise them.');
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--conditions=@campaigns/source', '--import', 'tsx', gatewayMain, ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
