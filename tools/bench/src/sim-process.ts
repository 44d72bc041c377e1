// Runs one simulator in its own process, so a benchmark's CPU time and memory figures belong to
// the contender alone. Talks to its parent over IPC: ready → { url, ids }; then commands.
import type { HubSpotSimOptions, ScriptedFault, SimFaults } from '@campaigns/hubspot-sim';
import { startHubSpotSim } from '@campaigns/hubspot-sim';

export type SimCommand =
  | { id: number; cmd: 'stats' }
  | { id: number; cmd: 'reset-stats' }
  | { id: number; cmd: 'faults'; faults: SimFaults }
  | { id: number; cmd: 'script'; script: ScriptedFault[] }
  | { id: number; cmd: 'verify'; property: string; expected: Record<string, string> }
  | { id: number; cmd: 'applied'; ids: string[] };

/** Options of the benchmark's own, next to the simulator's. */
export interface SimProcessOptions {
  /** Count, per campaign id, every update the store applies (see the `applied` command). */
  countApplied?: boolean;
}

const options = JSON.parse(process.argv[2] ?? '{}') as HubSpotSimOptions;
const own = JSON.parse(process.argv[3] ?? '{}') as SimProcessOptions;
const sim = await startHubSpotSim(options);
// How many times HubSpot applied an update to each campaign: the store is the server's last word
// (retries, and a crashed worker's chunks sent again, each count once per time they were applied).
const applied = new Map<string, number>();
if (own.countApplied) {
  const update = sim.store.update.bind(sim.store);
  sim.store.update = (id, changes) => {
    applied.set(id, (applied.get(id) ?? 0) + 1);
    return update(id, changes);
  };
}
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
    case 'applied':
      result = message.ids.map((id) => applied.get(id) ?? 0);
      break;
  }
  process.send!({ id: message.id, result });
});

process.on('disconnect', () => {
  void sim.close().then(() => process.exit(0));
});
