// The text a user saves from the verify report: plain, greppable, one entry a line.
import type { VerifyReport } from '../../../electron/contract.ts';

export function verifyReportText(archivePath: string, report: VerifyReport, when: Date): string {
  const counts = { intact: 0, damaged: 0, 'missing-model': 0 };
  for (const e of report.entries) counts[e.verdict]++;
  const lines = [
    'Octozip verify report',
    `Archive: ${archivePath}`,
    `Checked: ${when.toISOString()}`,
    `Result: ${report.ok ? 'intact' : 'PROBLEMS FOUND'}`,
    `Entries: ${report.entries.length} (${counts.intact} intact, ${counts.damaged} damaged, ${counts['missing-model']} missing model)`,
    `Time: ${report.seconds.toFixed(2)} s`,
  ];
  if (report.problems.length > 0) {
    lines.push('', 'Archive problems:');
    for (const p of report.problems) lines.push(`  ${p}`);
  }
  lines.push('', 'Entries:');
  for (const e of report.entries) lines.push(`  ${e.verdict.padEnd(13)} ${e.path}${e.problem ? ` — ${e.problem}` : ''}`);
  return `${lines.join('\n')}\n`;
}
