// The change report as Markdown, for a reviewer and for CI logs: a summary line, then every
// breaking change, then the other changes by kind. Each change is listed once.
import type { SpecChange, SpecDiff } from './diff.js';

export interface ReportLabels {
  /** What the old side is: `openapi/v3 (accepted)`, a file name, or `none (new version)`. */
  from: string;
  to: string;
}

export function formatReport(diff: SpecDiff, labels: ReportLabels): string {
  const { changes } = diff;
  const breaking = changes.filter((c) => c.breaking);
  const rest = changes.filter((c) => !c.breaking);
  const count = (kind: SpecChange['kind']) => rest.filter((c) => c.kind === kind).length;
  const targets = (scope: SpecChange['scope']) =>
    new Set(changes.filter((c) => c.scope === scope).map((c) => c.target)).size;

  const lines = [`# OpenAPI change report: ${labels.from} → ${labels.to}`, ''];
  if (changes.length === 0) {
    lines.push(
      diff.documentationOnly > 0
        ? `No change to operations or schemas (${plural(diff.documentationOnly, 'documentation-only change')}).`
        : 'No changes.',
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    [
      `**${breaking.length} breaking**`,
      `${count('added')} added`,
      `${count('removed')} removed`,
      `${count('changed')} changed`,
    ].join(', ') +
      ` (${plural(targets('operation'), 'operation')}, ${plural(targets('schema'), 'schema')}` +
      `${targets('document') > 0 ? `, ${plural(targets('document'), 'other part')}` : ''})` +
      (diff.documentationOnly > 0
        ? `; ${plural(diff.documentationOnly, 'documentation-only change')} not listed.`
        : '.'),
  );
  const section = (title: string, items: SpecChange[]) => {
    if (items.length === 0) return;
    lines.push('', `## ${title}`, '');
    for (const change of items) lines.push(`- ${line(change)}`);
  };
  section('Breaking', breaking);
  section(
    'Added',
    rest.filter((c) => c.kind === 'added'),
  );
  section(
    'Removed',
    rest.filter((c) => c.kind === 'removed'),
  );
  section(
    'Changed',
    rest.filter((c) => c.kind === 'changed'),
  );
  return `${lines.join('\n')}\n`;
}

function line(change: SpecChange): string {
  const what = change.scope === 'schema' ? `schema \`${change.target}\`` : `\`${change.target}\``;
  const where = change.where === '' ? '' : ` ${change.where}`;
  const field = change.field === '' ? '' : ` \`${change.field}\``;
  return `${what}${where}${field}: ${change.detail}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
