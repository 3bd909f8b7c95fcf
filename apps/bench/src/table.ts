import type { SuiteResult } from './suite.js';

/** A GitHub-flavoured markdown table, columns padded for reading in a terminal. */
export function markdownTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function formatResult(result: SuiteResult): string {
  const notes = result.notes.map((n) => `\n${n}`).join('');
  return `## ${result.title}\n\n${markdownTable(result.columns, result.rows)}\n${notes}\n`;
}
