// Diagnostics as SARIF 2.1.0, the format GitHub code scanning (and other CI tools) show at the
// spec's line: `sisflow validate specs/*.yaml --sarif sisflow.sarif`.
import { relative, sep } from 'node:path';
import { describeCode, isDiagnosticCode, type Diagnostic } from '@sisflow/core';

export function sarifLog(diagnostics: readonly Diagnostic[], version: string, cwd = process.cwd()): object {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  const uri = (file: string) => relative(cwd, file).split(sep).join('/');
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sisflow',
            version,
            rules: codes.map((code) => ({
              id: code,
              shortDescription: { text: isDiagnosticCode(code) ? describeCode(code).title : code },
              help: { text: `see docs/diagnostics.md#${code.toLowerCase()} in sisflow` },
            })),
          },
        },
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          level: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'note',
          message: { text: d.hint ? `${d.message} (hint: ${d.hint})` : d.message },
          ...(d.span
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: uri(d.span.file) },
                      region: { startLine: d.span.start.line, startColumn: d.span.start.col, endLine: d.span.end.line, endColumn: Math.max(d.span.end.col, d.span.start.col + (d.span.end.line === d.span.start.line ? 1 : 0)) },
                    },
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
}
