// Structured logs of `sisflow serve` (pino): one JSON object a line when stdout is not a terminal
// (systemd's journal, a Windows service wrapper's log file), short human lines on a terminal.
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

// Loaded when a logger is made (serve, worker), not by every command that imports this package.
const loadPino = () => createRequire(import.meta.url)('pino') as typeof import('pino').default;

export function serviceLogger(output: { write(line: string): void }, terminal: boolean): Logger {
  const destination = terminal ? { write: (line: string) => output.write(humanLine(line)) } : output;
  const pino = loadPino();
  return pino({ base: { service: 'sisflow' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };

function humanLine(json: string): string {
  const { level, time, msg, service: _s, pid: _p, hostname: _h, ...fields } = JSON.parse(json) as Record<string, unknown>;
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(time).slice(11, 19)} ${LEVELS[level as number] ?? level} ${msg}${extra ? `  ${extra}` : ''}\n`;
}
