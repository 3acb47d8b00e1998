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

const GLOBAL_OPTIONS = {
  endpoint: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  /** Option lines of the help text, `--flag <value>  what it does`. */
  readonly optionHelp: readonly (readonly [string, string])[];
  readonly options: ParseArgsOptionsConfig;
  readonly positionals: { readonly min: number; readonly max: number; readonly name?: string };
  readonly details?: string;
}

/** Every command: its flags (for parseArgs) and its help text, in one place. */
export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  up: {
    summary: 'start the local cloud (what `npm start` runs)',
    usage: 'docflow up [--port 4566] [--api-port 4567] [--console-port 4568] [--fresh]',
    optionHelp: [
      ['--port <n>', 'port of the one AWS endpoint (default 4566; 0 picks a free one)'],
      ['--api-port <n>', 'port of the query API (default 4567; 0 picks a free one)'],
      [
        '--console-port <n>',
        'port of the web console (default 4568, or a free one if taken; 0 picks a free one)',
      ],
      ['--fresh', 'start from empty state (deletes the data folder’s state first)'],
    ],
    options: {
      port: { type: 'string' },
      'api-port': { type: 'string' },
      'console-port': { type: 'string' },
      fresh: { type: 'boolean' },
    },
    positionals: { min: 0, max: 0 },
    details:
      'Runs until Ctrl-C; state is kept in the data folder and survives a restart.\n' +
      'Through npm, flags follow `--`: npm start -- --port 4600 --api-port 4601',
  },
  console: {
    summary: 'serve the web console (documents, upload, executions) for the local cloud or a stack',
    usage: 'docflow console [--port 4568] [--stack <name>]',
    optionHelp: [
      ['--port <n>', 'port on 127.0.0.1 (default 4568; locally a free one if taken; 0 picks a free one)'],
    ],
    options: { port: { type: 'string' } },
    positionals: { min: 0, max: 0 },
    details:
      'Runs until Ctrl-C. `npm start` serves it for the local cloud already; with --stack it serves a deployed\n' +
      'stack, calling AWS with your credentials from this machine (they never reach the browser).',
  },
  upload: {
    summary: 'upload files or folders to the uploads bucket',
    usage: 'docflow upload <files or folders…> [--prefix incoming/] [--wait] [--timeout 300]',
    optionHelp: [
      ['--prefix <prefix>', 'key prefix, under incoming/ (default incoming/)'],
      ['--wait', 'wait until every document reaches PROCESSED, REJECTED or FAILED'],
      ['--timeout <seconds>', 'how long --wait waits (default 300)'],
    ],
    options: { prefix: { type: 'string' }, wait: { type: 'boolean' }, timeout: { type: 'string' } },
    positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: 'files or folders' },
    details:
      'A file becomes <prefix><file name>; a folder’s files become <prefix><path inside the folder>.\n' +
      'Large files go up in parts. With --wait the exit code is 1 unless every document is PROCESSED.',
  },
  ls: {
    summary: 'list documents (newest first)',
    usage: 'docflow ls [--status S] [--type T] [--after ISO] [--before ISO] [--limit N | --all] [--json]',
    optionHelp: [
      ['--status <status>', 'PROCESSING, PROCESSED, REJECTED or FAILED'],
      ['--type <type>', 'pdf, jpeg, png, webp, docx, text, …'],
      ['--after <time>', 'uploaded at or after (2026-11-23 or 2026-11-23T10:00:00Z)'],
      ['--before <time>', 'uploaded at or before'],
      ['--limit <n>', 'at most n documents (default 25)'],
      ['--all', 'every matching document'],
      ['--json', 'print JSON ({ items, nextCursor })'],
    ],
    options: {
      status: { type: 'string' },
      type: { type: 'string' },
      after: { type: 'string' },
      before: { type: 'string' },
      limit: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    positionals: { min: 0, max: 0 },
  },
  show: {
    summary: 'show a document: metadata, text preview, thumbnail, execution steps and trace summary',
    usage: 'docflow show <id | key> [--json]',
    optionHelp: [['--json', 'print JSON']],
    options: { json: { type: 'boolean' } },
    positionals: { min: 1, max: 1, name: 'id or key' },
    details: 'The thumbnail is saved under <data folder>/thumbnails/.',
  },
  trace: {
    summary: 'show a document’s X-Ray trace as a waterfall: states, Lambda invocations, AWS calls',
    usage: 'docflow trace <id | key> [--all | --trace <trace id>] [--since <time>] [--json]',
    optionHelp: [
      ['--all', 'every trace of the document (its upload run, redrives, its deletion), newest first'],
      ['--trace <trace id>', 'one trace by its id (as listed under the newest, or shown by --all)'],
      ['--since <time>', 'look from then on (2026-11-23, 2026-11-23T10:00:00Z, 90m, 6h, 7d ago)'],
      ['--json', 'print the trace as X-Ray returns it (BatchGetTraces), each segment document parsed'],
    ],
    options: {
      all: { type: 'boolean' },
      trace: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean' },
    },
    positionals: { min: 1, max: 1, name: 'id or key' },
    details:
      'Traces are found in X-Ray by the documentId annotation, near the upload and the last change of the\n' +
      'document unless --since says otherwise; X-Ray keeps them 30 days and shows one seconds after it ends.',
  },
  redrive: {
    summary: 'run the documents in the failed-documents queue again',
    usage: 'docflow redrive [--dry-run]',
    optionHelp: [['--dry-run', 'only list what would be run again; change nothing']],
    options: { 'dry-run': { type: 'boolean' } },
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
    optionHelp: [
      ['--status <status>', 'which documents: REJECTED, FAILED, PROCESSED or ALL (required)'],
      ['--reason <reason>', 'only rejections for this reason (TOO_LARGE, CORRUPT, UNSUPPORTED_TYPE, …)'],
      ['--prefix <prefix>', 'only keys that start with this (incoming/batch-7/)'],
      ['--since <time>', 'only uploads from then on (2026-11-23, 2026-11-23T10:00:00Z, 90m, 6h, 7d ago)'],
      ['--rate <n>', 'requests a second, at most (default 10; 1–50)'],
      ['--dry-run', 'only list what would run again; change nothing'],
    ],
    options: {
      status: { type: 'string' },
      reason: { type: 'string' },
      prefix: { type: 'string' },
      since: { type: 'string' },
      rate: { type: 'string' },
      'dry-run': { type: 'boolean' },
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
    optionHelp: [
      ['--since <time>', 'uploaded at or after (2026-11-23, 2026-11-23T10:00:00Z, 90m, 6h, 7d ago)'],
      ['--until <time>', 'uploaded at or before (the same forms)'],
      ['--json', 'print the API’s summary as JSON'],
    ],
    options: { since: { type: 'string' }, until: { type: 'string' }, json: { type: 'boolean' } },
    positionals: { min: 0, max: 0 },
    details:
      'Every run of a document (its upload, redrives, reprocesses, its deletion) is priced from its execution\n' +
      'history once it ends, with the price table of the deployment (docflow:prices). `show` lists a\n' +
      'document’s runs. Figures are modelled list prices in USD, without free tiers, storage or logs.',
  },
  demo: {
    summary: 'upload sample-docs/, wait, and compare the results with the expected ones',
    usage: 'docflow demo [--timeout 300]',
    optionHelp: [['--timeout <seconds>', 'how long to wait for the results (default 300)']],
    options: { timeout: { type: 'string' } },
    positionals: { min: 0, max: 0 },
  },
};

const GLOBAL_HELP: readonly (readonly [string, string])[] = [
  ['--stack <name>', 'a deployed stack (AWS credentials from the usual places) instead of the local cloud'],
  ['--region <region>', 'AWS region (default: the local cloud’s, or your AWS configuration’s)'],
  ['--endpoint <url>', 'the local cloud’s endpoint (default: from the deployment file)'],
  ['--data-dir <dir>', 'the local cloud’s data folder (default: .docflow in the project)'],
  ['-h, --help', 'show help'],
];

const optionLines = (options: readonly (readonly [string, string])[]): string[] => {
  const width = Math.max(...options.map(([flag]) => flag.length));
  return options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
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
      ...optionLines(GLOBAL_HELP),
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
    ...(spec.optionHelp.length > 0 ? ['', 'Options:', ...optionLines(spec.optionHelp)] : []),
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_HELP),
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
  const option = Object.entries(GLOBAL_OPTIONS).find(
    ([long, spec]) => long === name || ('short' in spec && spec.short === name),
  );
  return option?.[1].type === 'string';
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
      options: { ...GLOBAL_OPTIONS, ...spec.options },
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
