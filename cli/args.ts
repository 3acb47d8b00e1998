import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors';

export const COMMAND_NAMES = [
  'up',
  'console',
  'upload',
  'ls',
  'show',
  'trace',
  'redrive',
  'reprocess',
  'cost',
  'demo',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Flags every command takes: where the deployment is. */
export interface GlobalOptions {
  /** The local cloud's endpoint, instead of the deployment file's. */
  readonly endpoint?: string;
  /** A deployed stack's name: read its outputs with CloudFormation instead of the deployment file. */
  readonly stack?: string;
  readonly region?: string;
  /** The local cloud's data folder (deployment file, state, downloaded thumbnails). */
  readonly dataDir?: string;
}

/** One flag: what parseArgs reads and the help text says, declared once. */
interface OptionSpec {
  /** What the flag does, for the help text. */
  readonly help: string;
  /** What the flag's value is, named in the help text (`--limit <n>`); a flag without one is a switch. */
  readonly value?: string;
  readonly short?: string;
}

type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** In the order the help text lists them. */
const GLOBAL_OPTIONS: OptionSpecs = {
  stack: {
    value: 'name',
    help: 'a deployed stack (AWS credentials from the usual places) instead of the local cloud',
  },
  region: { value: 'region', help: 'AWS region (default: the local cloud’s, or your AWS configuration’s)' },
  endpoint: { value: 'url', help: 'the local cloud’s endpoint (default: from the deployment file)' },
  'data-dir': { value: 'dir', help: 'the local cloud’s data folder (default: .docflow in the project)' },
  help: { short: 'h', help: 'show help' },
};

const parseArgsConfig = (options: OptionSpecs): ParseArgsOptionsConfig =>
  Object.fromEntries(
    Object.entries(options).map(([name, { value, short }]) => [
      name,
      { type: value === undefined ? 'boolean' : 'string', ...(short === undefined ? {} : { short }) },
    ]),
  );

interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  /** In the order the help text lists them. */
  readonly options: OptionSpecs;
  readonly positionals: { readonly min: number; readonly max: number; readonly name?: string };
  readonly details?: string;
}

/** Every command: its flags (for parseArgs) and its help text, in one place. */
export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  up: {
    summary: 'start the local cloud (what `npm start` runs)',
    usage: 'docflow up [--port 4566] [--api-port 4567] [--console-port 4568] [--fresh]',
    options: {
      port: { value: 'n', help: 'port of the one AWS endpoint (default 4566; 0 picks a free one)' },
      'api-port': { value: 'n', help: 'port of the query API (default 4567; 0 picks a free one)' },
      'console-port': {
        value: 'n',
        help: 'port of the web console (default 4568, or a free one if taken; 0 picks a free one)',
      },
      fresh: { help: 'start from empty state (deletes the data folder’s state first)' },
    },
    positionals: { min: 0, max: 0 },
    details:
      'Runs until Ctrl-C; state is kept in the data folder and survives a restart.\n' +
      'Through npm, flags follow `--`: npm start -- --port 4600 --api-port 4601',
  },
  console: {
    summary: 'serve the web console (documents, upload, executions) for the local cloud or a stack',
    usage: 'docflow console [--port 4568] [--stack <name>]',
    options: {
      port: {
        value: 'n',
        help: 'port on 127.0.0.1 (default 4568; locally a free one if taken; 0 picks a free one)',
      },
    },
    positionals: { min: 0, max: 0 },
    details:
      'Runs until Ctrl-C. `npm start` serves it for the local cloud already; with --stack it serves a deployed\n' +
      'stack, calling AWS with your credentials from this machine (they never reach the browser).',
  },
  upload: {
    summary: 'upload files or folders to the uploads bucket',
    usage: 'docflow upload <files or folders…> [--prefix incoming/] [--wait] [--timeout 300]',
    options: {
      prefix: { value: 'prefix', help: 'key prefix, under incoming/ (default incoming/)' },
      wait: { help: 'wait until every document reaches PROCESSED, REJECTED or FAILED' },
      timeout: { value: 'seconds', help: 'how long --wait waits (default 300)' },
    },
    positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: 'files or folders' },
    details:
      'A file becomes <prefix><file name>; a folder’s files become <prefix><path inside the folder>.\n' +
      'Large files go up in parts. With --wait the exit code is 1 unless every document is PROCESSED.',
  },
  ls: {
    summary: 'list documents (newest first)',
    usage: 'docflow ls [--status S] [--type T] [--after ISO] [--before ISO] [--limit N | --all] [--json]',
    options: {
      status: { value: 'status', help: 'PROCESSING, PROCESSED, REJECTED or FAILED' },
      type: { value: 'type', help: 'pdf, jpeg, png, webp, docx, text, …' },
      after: { value: 'time', help: 'uploaded at or after (2026-11-23 or 2026-11-23T10:00:00Z)' },
      before: { value: 'time', help: 'uploaded at or before' },
      limit: { value: 'n', help: 'at most n documents (default 25)' },
      all: { help: 'every matching document' },
      json: { help: 'print JSON ({ items, nextCursor })' },
    },
    positionals: { min: 0, max: 0 },
  },
  show: {
    summary: 'show a document: metadata, text preview, thumbnail, execution steps and trace summary',
    usage: 'docflow show <id | key> [--json]',
    options: {
      json: { help: 'print JSON' },
    },
    positionals: { min: 1, max: 1, name: 'id or key' },
    details: 'The thumbnail is saved under <data folder>/thumbnails/.',
  },
  trace: {
    summary: 'show a document’s X-Ray trace as a waterfall: states, Lambda invocations, AWS calls',
    usage: 'docflow trace <id | key> [--all | --trace <trace id>] [--since <time>] [--json]',
    options: {
      all: { help: 'every trace of the document (its upload run, redrives, its deletion), newest first' },
      trace: {
        value: 'trace id',
        help: 'one trace by its id (as listed under the newest, or shown by --all)',
      },
      since: { value: 'time', help: 'look from then on (2026-11-23, 2026-11-23T10:00:00Z, 90m, 6h, 7d ago)' },
      json: { help: 'print the trace as X-Ray returns it (BatchGetTraces), each segment document parsed' },
    },
    positionals: { min: 1, max: 1, name: 'id or key' },
    details:
      'Traces are found in X-Ray by the documentId annotation, near the upload and the last change of the\n' +
      'document unless --since says otherwise; X-Ray keeps them 30 days and shows one seconds after it ends.',
  },
  redrive: {
    summary: 'run the documents in the failed-documents queue again',
    usage: 'docflow redrive [--dry-run]',
    options: {
      'dry-run': { help: 'only list what would be run again; change nothing' },
    },
    positionals: { min: 0, max: 0 },
    details:
      'Each message is deleted once its document is running again. The exit code is 1 when a message\n' +
      'could not be handled (it stays in the queue).',
  },
  reprocess: {
    summary:
      'run documents again (after a limit was raised or docflow upgraded), each as its next generation',
    usage:
      'docflow reprocess --status REJECTED|FAILED|PROCESSED|ALL [--reason R] [--prefix P] [--since T] [--rate 10] [--dry-run]',
    options: {
      status: { value: 'status', help: 'which documents: REJECTED, FAILED, PROCESSED or ALL (required)' },
      reason: {
        value: 'reason',
        help: 'only rejections for this reason (TOO_LARGE, CORRUPT, UNSUPPORTED_TYPE, …)',
      },
      prefix: { value: 'prefix', help: 'only keys that start with this (incoming/batch-7/)' },
      since: {
        value: 'time',
        help: 'only uploads from then on (2026-11-23, 2026-11-23T10:00:00Z, 90m, 6h, 7d ago)',
      },
      rate: { value: 'n', help: 'requests a second, at most (default 10; 1–50)' },
      'dry-run': { help: 'only list what would run again; change nothing' },
    },
    positionals: { min: 0, max: 0 },
    details:
      'Each document’s recorded version runs again through the ingest queue and the starter, as uploads do;\n' +
      'the record keeps the newest run’s result. Asking again before a run has begun starts nothing twice;\n' +
      'documents being processed or deleted are skipped. The exit code is 1 when a request failed.',
  },
  cost: {
    summary: 'the modelled AWS cost of the documents: totals, parts, per type, text strategy and status',
    usage: 'docflow cost [--since <time>] [--until <time>] [--json]',
    options: {
      since: {
        value: 'time',
        help: 'uploaded at or after (2026-11-23, 2026-11-23T10:00:00Z, 90m, 6h, 7d ago)',
      },
      until: { value: 'time', help: 'uploaded at or before (the same forms)' },
      json: { help: 'print the API’s summary as JSON' },
    },
    positionals: { min: 0, max: 0 },
    details:
      'Every run of a document (its upload, redrives, reprocesses, its deletion) is priced from its execution\n' +
      'history once it ends, with the price table of the deployment (docflow:prices). `show` lists a\n' +
      'document’s runs. Figures are modelled list prices in USD, without free tiers, storage or logs.',
  },
  demo: {
    summary: 'upload sample-docs/, wait, and compare the results with the expected ones',
    usage: 'docflow demo [--timeout 300]',
    options: {
      timeout: { value: 'seconds', help: 'how long to wait for the results (default 300)' },
    },
    positionals: { min: 0, max: 0 },
  },
};

/** The option lines of a help text, `--flag <value>  what it does`, aligned. */
const optionLines = (options: OptionSpecs): string[] => {
  const lines = Object.entries(options).map(([name, { value, short, help }]) => ({
    flag: `${short === undefined ? '' : `-${short}, `}--${name}${value === undefined ? '' : ` <${value}>`}`,
    help,
  }));
  const width = Math.max(...lines.map(({ flag }) => flag.length));
  return lines.map(({ flag, help }) => `  ${flag.padEnd(width)}  ${help}`);
};

/** The help text: the overview, or one command's. */
export const helpText = (command?: CommandName): string => {
  if (!command) {
    const width = Math.max(...COMMAND_NAMES.map((name) => name.length));
    return [
      'docflow — upload documents and follow them through the pipeline',
      '',
      'Usage: docflow <command> [options]   (npx docflow … ; npm start = docflow up)',
      '',
      'Commands:',
      ...COMMAND_NAMES.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`),
      '',
      'Options of every command:',
      ...optionLines(GLOBAL_OPTIONS),
      '',
      'Exit codes: 0 ok, 1 a document failed or did not match (or the command could not finish), 2 usage error.',
      'Run docflow <command> --help for a command’s options.',
    ].join('\n');
  }
  const spec = COMMANDS[command];
  return [
    `docflow ${command} — ${spec.summary}`,
    '',
    `Usage: ${spec.usage}`,
    ...(spec.details ? ['', spec.details] : []),
    ...(Object.keys(spec.options).length > 0 ? ['', 'Options:', ...optionLines(spec.options)] : []),
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
  ].join('\n');
};

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export type Invocation =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | {
      readonly kind: 'run';
      readonly command: CommandName;
      readonly globals: GlobalOptions;
      readonly values: OptionValues;
      readonly positionals: readonly string[];
    };

const isCommandName = (value: string): value is CommandName =>
  (COMMAND_NAMES as readonly string[]).includes(value);

const takesValue = (token: string): boolean => {
  const name = token.replace(/^--?/, '');
  const option = Object.entries(GLOBAL_OPTIONS).find(([long, spec]) => long === name || spec.short === name);
  return option?.[1].value !== undefined;
};

/** Index of the command word: the first argument that is neither a flag nor a global flag's value. */
const commandIndex = (args: readonly string[]): number => {
  for (let index = 0; index < args.length; index += 1) {
    const token = args[index] ?? '';
    if (token === '--') return index + 1 < args.length ? index + 1 : -1;
    if (!token.startsWith('-')) return index;
    if (!token.includes('=') && takesValue(token)) index += 1;
  }
  return -1;
};

/**
 * Reads a command line: the command word may come after global flags (`docflow --stack prod ls`);
 * each command accepts only its own and the global flags.
 *
 * @throws UsageError for an unknown command or flag, a missing flag value, or wrong positionals
 */
export const parseCommandLine = (args: readonly string[]): Invocation => {
  const at = commandIndex(args);
  const word = at === -1 ? undefined : args[at];
  if (word === 'help') {
    const topic = args[at + 1];
    if (topic !== undefined && !isCommandName(topic)) throw new UsageError(`unknown command "${topic}"`);
    return { kind: 'help', ...(topic ? { command: topic } : {}) };
  }
  if (word === undefined) {
    if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };
    throw new UsageError('no command given');
  }
  if (!isCommandName(word)) throw new UsageError(`unknown command "${word}"`);
  const spec = COMMANDS[word];
  const rest = [...args.slice(0, at), ...args.slice(at + 1)];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: parseArgsConfig({ ...GLOBAL_OPTIONS, ...spec.options }),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), word);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { kind: 'help', command: word };
  const { positionals } = parsed;
  const { min, max, name } = spec.positionals;
  if (positionals.length < min) throw new UsageError(`missing ${name ?? 'argument'}`, word);
  if (positionals.length > max) {
    throw new UsageError(`unexpected argument "${positionals[max] ?? ''}"`, word);
  }
  const globals: GlobalOptions = {
    ...(typeof values.endpoint === 'string' ? { endpoint: values.endpoint } : {}),
    ...(typeof values.stack === 'string' ? { stack: values.stack } : {}),
    ...(typeof values.region === 'string' ? { region: values.region } : {}),
    ...(typeof values['data-dir'] === 'string' ? { dataDir: values['data-dir'] } : {}),
  };
  if (globals.stack !== undefined && globals.endpoint !== undefined) {
    throw new UsageError('--endpoint is for the local cloud; it cannot be used with --stack', word);
  }
  if (globals.stack !== undefined && word === 'up') {
    throw new UsageError('up starts the local cloud; it cannot be used with --stack', word);
  }
  if (globals.endpoint !== undefined && !URL.canParse(globals.endpoint)) {
    throw new UsageError(`--endpoint must be a URL such as http://127.0.0.1:4566`, word);
  }
  return { kind: 'run', command: word, globals, values, positionals };
};
