import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, helpText, parseCommandLine } from '../../../cli/args';
import { UsageError } from '../../../cli/errors';

const usageErrorOf = (args: string[]): UsageError => {
  try {
    parseCommandLine(args);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${args.join(' ')}`);
};

describe('parseCommandLine', () => {
  it('reads the command, its flags and its positionals', () => {
    // Prepare
    const args = ['upload', 'a.pdf', 'docs/', '--wait', '--timeout', '60', '--prefix=incoming/batch'];

    // Act
    const invocation = parseCommandLine(args);

    // Assess
    expect(invocation).toEqual({
      kind: 'run',
      command: 'upload',
      globals: {},
      values: { wait: true, timeout: '60', prefix: 'incoming/batch' },
      positionals: ['a.pdf', 'docs/'],
    });
  });

  it('takes global flags before or after the command word', () => {
    // Act
    const before = parseCommandLine(['--stack', 'Docflow', '--region', 'eu-west-1', 'ls', '--json']);
    const after = parseCommandLine([
      'ls',
      '--json',
      '--data-dir',
      'tmp/state',
      '--endpoint=http://127.0.0.1:9',
    ]);

    // Assess
    expect(before).toMatchObject({
      kind: 'run',
      command: 'ls',
      globals: { stack: 'Docflow', region: 'eu-west-1' },
      values: { json: true },
    });
    expect(after).toMatchObject({
      kind: 'run',
      command: 'ls',
      globals: { dataDir: 'tmp/state', endpoint: 'http://127.0.0.1:9' },
    });
  });

  it('recognises every way of asking for help', () => {
    // Act & Assess
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['help', 'show'])).toEqual({ kind: 'help', command: 'show' });
    expect(parseCommandLine(['show', '--help'])).toEqual({ kind: 'help', command: 'show' });
    // Help wins over a missing positional: `upload --help` must not complain about no files.
    expect(parseCommandLine(['upload', '-h'])).toEqual({ kind: 'help', command: 'upload' });
  });

  it.each([
    [[], 'no command given', undefined],
    [['frobnicate'], 'unknown command "frobnicate"', undefined],
    [['help', 'frobnicate'], 'unknown command "frobnicate"', undefined],
    [['ls', '--bogus'], "Unknown option '--bogus'", 'ls'],
    [['ls', '--wait'], "Unknown option '--wait'", 'ls'],
    [['upload'], 'missing files or folders', 'upload'],
    [['show'], 'missing id or key', 'show'],
    [['show', 'a', 'b'], 'unexpected argument "b"', 'show'],
    [['ls', '--stack', 's', '--endpoint', 'http://x'], '--endpoint is for the local cloud', 'ls'],
    [['up', '--stack', 's'], 'up starts the local cloud', 'up'],
    [['ls', '--endpoint', 'not a url'], '--endpoint must be a URL', 'ls'],
    [['ls', '--status'], "Option '--status <value>' argument missing", 'ls'],
  ])('refuses %j', (args, message, command) => {
    // Act
    const error = usageErrorOf(args);

    // Assess
    expect(error.message).toContain(message);
    expect(error.command).toBe(command);
  });

  it('treats what follows -- as positionals', () => {
    // Act
    const invocation = parseCommandLine(['upload', '--', '--odd-name.pdf']);

    // Assess
    expect(invocation).toMatchObject({ kind: 'run', command: 'upload', positionals: ['--odd-name.pdf'] });
  });
});

describe('helpText', () => {
  it('lists every command in the overview and each command’s own flags in its help', () => {
    // Act
    const overview = helpText();
    const ls = helpText('ls');

    // Assess
    for (const name of COMMAND_NAMES) expect(overview).toContain(`  ${name}`);
    expect(overview).toContain('Exit codes: 0 ok, 1');
    for (const flag of [
      '--status',
      '--type',
      '--after',
      '--before',
      '--limit',
      '--all',
      '--json',
      '--stack',
    ]) {
      expect(ls).toContain(flag);
    }
  });
});
