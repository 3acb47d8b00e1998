import type { GlobalOptions, OptionValues } from './args';
import type { ExitCode } from './errors';
import type { DocflowTarget } from './ports';
import type { Terminal } from './terminal';

/** What a command gets besides its own flags. */
export interface CommandContext {
  readonly terminal: Terminal;
  readonly globals: GlobalOptions;
  /** The local cloud's data folder (absolute). */
  readonly dataDir: string;
  readonly cwd: string;
  /** Connects to the deployment on first use (help and usage errors never need one). */
  target(): Promise<DocflowTarget>;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface CommandInput {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
}

/** A command: parse its flags, call the logic with the target's ports, print, return the exit code. */
export type Command = (input: CommandInput, context: CommandContext) => Promise<ExitCode>;
