import { type CommandName, helpText, type Invocation, parseCommandLine } from './args';
import type { Command, CommandContext } from './context';
import { EXIT, type ExitCode, networkErrorCode, UsageError } from './errors';
import { dataDirOf } from './paths';
import type { DocflowTarget } from './ports';
import { streamTerminal, type Terminal } from './terminal';

/** Loads one command's module only: `--help` and `ls` never load the local cloud or lib-storage. */
const loadCommand = async (name: CommandName): Promise<Command> => {
  switch (name) {
    case 'up':
      // The CDK app's synthesis loads its modules while `up` loads the local cloud's.
      (await import('../local/deploy/synth-child')).prestartSynthesis();
      return (await import('./commands/up')).up;
    case 'console':
      return (await import('./commands/console')).consoleCommand;
    case 'upload':
      return (await import('./commands/upload')).upload;
    case 'ls':
      return (await import('./commands/ls')).ls;
    case 'show':
      return (await import('./commands/show')).show;
    case 'trace':
      return (await import('./commands/trace')).trace;
    case 'redrive':
      return (await import('./commands/redrive')).redrive;
    case 'reprocess':
      return (await import('./commands/reprocess')).reprocess;
    case 'cost':
      return (await import('./commands/cost')).cost;
    case 'demo':
      return (await import('./commands/demo')).demo;
  }
};

/** Errors whose message says it all: no stack trace. */
const EXPECTED_ERRORS = new Set([
  'CliError',
  'ApiError',
  'DeploymentFileError',
  'MissingStackOutputError',
  'CredentialsProviderError',
  // A function's bundle cannot load: the line names the function and the runtime's error.
  'FunctionStartError',
  // A source the local cloud runs built does not compile: a line per error, with file and line.
  'EntryBuildError',
  // The CDK app cannot be synthesized (a function that does not bundle): the tools' own lines follow.
  'SynthesisError',
]);

const explain = (error: unknown, target: string | undefined, local: boolean): string => {
  const code = networkErrorCode(error);
  if (code) {
    const where = target ?? 'the deployment';
    return local
      ? `cannot reach ${where} (${code}): is it running? Start it with \`npm start\`.`
      : `cannot reach ${where} (${code})`;
  }
  if (!(error instanceof Error)) return `unexpected error: ${String(error)}`;
  if (error.name === 'CredentialsProviderError') {
    return 'no AWS credentials found: configure a profile (`aws configure`, `aws sso login`) or set AWS_PROFILE';
  }
  if (EXPECTED_ERRORS.has(error.name)) return error.message;
  // AWS service errors (AccessDenied, ResourceNotFound…) read well as name and message.
  if ((error as { $metadata?: unknown }).$metadata !== undefined) return `${error.name}: ${error.message}`;
  return `unexpected error: ${error.stack ?? error.message}`;
};

export interface CliEnvironment {
  readonly terminal: Terminal;
  readonly cwd: string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Connects to the deployment; the real one reads the deployment file or the stack's outputs. */
  readonly connect?: (
    invocation: Extract<Invocation, { kind: 'run' }>,
    dataDir: string,
  ) => Promise<DocflowTarget>;
}

const defaultConnect: NonNullable<CliEnvironment['connect']> = async (invocation, dataDir) =>
  (await import('./target')).resolveTarget(invocation.globals, dataDir);

/** Runs one command line and returns the exit code (0 ok, 1 failed, 2 usage). Never throws. */
export const runCli = async (argv: readonly string[], environment: CliEnvironment): Promise<ExitCode> => {
  const { terminal } = environment;
  let invocation: Invocation;
  try {
    invocation = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    terminal.info(`docflow: ${error.message}`);
    terminal.info(`Run \`docflow ${error.command ? `${error.command} ` : ''}--help\` for usage.`);
    return EXIT.usage;
  }
  if (invocation.kind === 'help') {
    terminal.out(helpText(invocation.command));
    return EXIT.ok;
  }
  const run = invocation;
  const dataDir = dataDirOf(run.globals.dataDir, environment.cwd);
  const connect = environment.connect ?? defaultConnect;
  let target: DocflowTarget | undefined;
  const context: CommandContext = {
    terminal,
    globals: run.globals,
    dataDir,
    cwd: environment.cwd,
    now: environment.now ?? Date.now,
    sleep: environment.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    target: async () => {
      target ??= await connect(run, dataDir);
      return target;
    },
  };
  try {
    const command = await loadCommand(run.command);
    return await command({ values: run.values, positionals: run.positionals }, context);
  } catch (error) {
    terminal.clearStatus();
    if (error instanceof UsageError) {
      terminal.info(`docflow ${run.command}: ${error.message}`);
      terminal.info(`Run \`docflow ${run.command} --help\` for usage.`);
      return EXIT.usage;
    }
    terminal.info(
      `docflow ${run.command}: ${explain(error, target?.description, run.globals.stack === undefined)}`,
    );
    return EXIT.failed;
  } finally {
    target?.close();
  }
};

/** The process's own streams and working folder. */
export const processEnvironment = (): CliEnvironment => {
  // `docflow trace … | head` closes the pipe early: the reader has what it wanted, which is no error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  return { terminal: streamTerminal(process.stdout, process.stderr), cwd: process.cwd() };
};
