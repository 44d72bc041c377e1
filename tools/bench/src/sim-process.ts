// Runs one simulator in its own process, so a benchmark's CPU time and memory figures belong to
// the contender alone. Talks to its parent over IPC: ready → { url, ids }; then commands.
import type { HubSpotSimOptions, ScriptedFault, SimFaults } from '@campaigns/hubspot-sim';
import { startHubSpotSim } from '@campaigns/hubspot-sim';

export type SimCommand =
  | { id: number; cmd: 'stats' }
  | { id: number; cmd: 'reset-stats' }
  | { id: number; cmd: 'faults'; faults: SimFaults }
  | { id: number; cmd: 'script'; script: ScriptedFault[] }
  | { id: number; cmd: 'verify'; property: string; expected: Record<string, string> };

const options = JSON.parse(process.argv[2] ?? '{}') as HubSpotSimOptions;
const sim = await startHubSpotSim(options);
process.send!({ ready: true, url: sim.url, ids: sim.store.list().map((c) => c.id) });

process.on('message', (message: SimCommand) => {
  let result: unknown;
  switch (message.cmd) {
    case 'stats':
      result = sim.stats();
      break;
    case 'reset-stats':
      sim.resetStats();
      result = true;
      break;
    case 'faults':
      sim.setFaults(message.faults);
      result = true;
      break;
    case 'script':
      sim.script(...message.script);
      result = true;
      break;
    case 'verify': {
      // Ids whose current value is not the intended one: the server's word on what was lost.
      const wrong: string[] = [];
      for (const [id, want] of Object.entries(message.expected)) {
        if (sim.store.get(id)?.properties[message.property] !== want) wrong.push(id);
      }
      result = wrong;
      break;
    }
  }
  process.send!({ id: message.id, result });
});

process.on('disconnect', () => {
  void sim.close().then(() => process.exit(0));
});
