// `npm start`: runs the GraphQL gateway (on the embedded HubSpot simulator unless HubSpot
// credentials are configured), from TypeScript sources through tsx.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const gatewayMain = path.join(root, 'apps/gateway/src/main.ts');

const child = spawn(
  process.execPath,
  ['--conditions=@campaigns/source', '--import', 'tsx', gatewayMain, ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
