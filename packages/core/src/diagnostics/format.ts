// Prints diagnostics like a compiler: file:line:col, code, message, a code frame, a hint.
import type { Diagnostic } from './diagnostic.js';
import { SourceText } from './source-text.js';

export interface FormatOptions {
  color?: boolean;
  /**
   * Source texts for code frames: by file name (a Map or a plain object, a SourceText or the
   * text itself), or the SourceTexts themselves (`compile()` returns one as `source`).
   */
  sources?: ReadonlyMap<string, SourceText> | Readonly<Record<string, SourceText | string>> | readonly SourceText[] | SourceText;
}

function sourceFor(sources: FormatOptions['sources'], file: string): SourceText | undefined {
  if (!sources) return undefined;
  if (sources instanceof SourceText) return sources.file === file ? sources : undefined;
  if (sources instanceof Map) return sources.get(file);
  if (Array.isArray(sources)) return (sources as readonly SourceText[]).find((s) => s.file === file);
  const v = (sources as Readonly<Record<string, SourceText | string>>)[file];
  return typeof v === 'string' ? new SourceText(file, v) : v;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const paint = {
  red: ansi(31, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
  dim: ansi(2, 22),
  bold: ansi(1, 22),
};
const plain = { red: id, yellow: id, cyan: id, dim: id, bold: id };
function id(s: string): string {
  return s;
}

export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const c = options.color ? paint : plain;
  const sev = d.severity === 'error' ? c.red('error') : d.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
  const where = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.col}: ` : '';
  const lines = [`${c.bold(where)}${sev} ${c.dim(d.code)}: ${d.message}`];
  const source = d.span ? sourceFor(options.sources, d.span.file) : undefined;
  if (d.span && source) lines.push(...codeFrame(source, d.span, c));
  if (d.hint) lines.push(`  ${c.cyan('hint')}: ${d.hint}`);
  if (d.followers) lines.push(`  ${c.dim('note')}: and ${d.followers} more problem${d.followers === 1 ? '' : 's'} that follow${d.followers === 1 ? 's' : ''} from this one`);
  for (const r of d.related ?? []) {
    lines.push(`  ${c.dim('note')}: ${r.span.file}:${r.span.start.line}:${r.span.start.col}: ${r.message}`);
  }
  return lines.join('\n');
}

function codeFrame(source: SourceText, span: NonNullable<Diagnostic['span']>, c: typeof plain): string[] {
  const line = span.start.line;
  const gutter = String(line + 1).length;
  const out: string[] = [];
  const row = (n: number) => `${c.dim(`${String(n).padStart(gutter)} |`)} ${expandTabs(source.lineText(n))}`;
  if (line > 1) out.push(row(line - 1));
  out.push(row(line));
  const text = source.lineText(line);
  const startCol = span.start.col;
  const endCol = span.end.line === line ? Math.max(span.end.col, startCol + 1) : text.length + 1;
  const lead = expandTabs(text.slice(0, startCol - 1)).replace(/[^\t]/g, ' ');
  const width = Math.max(1, expandTabs(text.slice(startCol - 1, endCol - 1)).length);
  out.push(`${' '.repeat(gutter)} ${c.dim('|')} ${lead}${c.red('^'.repeat(width))}`);
  return out;
}

function expandTabs(s: string): string {
  return s.replace(/\t/g, '    ');
}

export function formatDiagnostics(ds: readonly Diagnostic[], options: FormatOptions = {}): string {
  return ds.map((d) => formatDiagnostic(d, options)).join('\n\n');
}

export function summarize(ds: readonly Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}
