import type { Terminal } from '../../cli/terminal';

/** A terminal that records what a command printed: stdout lines, stderr lines, status lines. */
export interface MemoryTerminal extends Terminal {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly statuses: string[];
  /** stdout joined, for parsing `--json` output. */
  text(): string;
}

export const memoryTerminal = (options: { interactive?: boolean; columns?: number } = {}): MemoryTerminal => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const statuses: string[] = [];
  return {
    stdout,
    stderr,
    statuses,
    interactive: options.interactive ?? false,
    columns: options.columns,
    out: (line = '') => {
      stdout.push(line);
    },
    info: (line) => {
      stderr.push(line);
    },
    status: (line) => {
      if (options.interactive) statuses.push(line);
    },
    clearStatus: () => {},
    text: () => stdout.join('\n'),
  };
};
