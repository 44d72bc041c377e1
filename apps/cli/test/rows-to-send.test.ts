// The rows the second pass hands on, and the lines it writes itself (resumed, nothing to change).
import { describe, expect, it } from 'vitest';
import { IdSet } from '../src/ids.js';
import type { ReportLine } from '../src/report.js';
import type { InputRow } from '../src/rows.js';
import { Spool } from '../src/spool.js';
import { rowsToSend } from '../src/update.js';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

describe('rowsToSend', () => {
  it('waits for the report after each piece it wrote lines for (a mostly resumed file stays bounded)', async () => {
    const spool = await Spool.create({ lineRows: 100 });
    const resumedOk = new IdSet();
    const pieces = 5;
    try {
      for (let p = 0; p < pieces; p++) {
        const rows: InputRow[] = [];
        for (let r = 0; r < 100; r++) {
          const n = p * 100 + r;
          rows.push({ row: n + 2, id: id(n), properties: { hs_notes: `n${n}` } });
          if (r !== 0) resumedOk.add(id(n));
        }
        await spool.write(rows);
      }
      await spool.end();
      const events: string[] = [];
      const report = {
        write: (line: ReportLine) => void events.push(`write ${line.status}`),
        flush: async () => void events.push('flush'),
      };
      const sent: string[] = [];
      for await (const rows of rowsToSend({ spool, resumedOk }, report))
        sent.push(...rows.map((row) => row.id));
      // One row of each piece is sent; the other 99 are reported as resumed.
      expect(sent).toEqual(Array.from({ length: pieces }, (_, p) => id(p * 100)));
      expect(events.filter((e) => e === 'write ok')).toHaveLength(pieces * 99);
      // Never more than one piece's lines written before the report is waited for.
      let sinceFlush = 0;
      for (const event of events) {
        sinceFlush = event === 'flush' ? 0 : sinceFlush + 1;
        expect(sinceFlush).toBeLessThanOrEqual(99);
      }
    } finally {
      await spool.dispose();
    }
  });
});
