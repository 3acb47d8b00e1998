/** Where a command writes: results on stdout, progress and diagnostics on stderr. */
export interface Terminal {
  /** A line of the command's result (stdout): tables, JSON. */
  out(line?: string): void;
  /** A line of diagnostics or progress (stderr), so stdout stays clean for pipes. */
  info(line: string): void;
  /** A transient status line (a progress bar) on stderr, redrawn in place; only shown when interactive. */
  status(line: string): void;
  /** Removes the status line. */
  clearStatus(): void;
  /** stderr is a terminal: progress bars instead of one line per event. */
  readonly interactive: boolean;
  /** Width of stdout when it is a terminal (tables are fitted to it); undefined when piped. */
  readonly columns: number | undefined;
  /** stdout is a terminal that takes colours (not piped, not `NO_COLOR`, not `TERM=dumb`). */
  readonly colors?: boolean;
}

interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  /** Node's `tty.WriteStream#hasColors`, which honours NO_COLOR, FORCE_COLOR and TERM. */
  hasColors?(): boolean;
}

/** Clear the whole line and go back to its start (ECMA-48 EL 2). */
const CLEAR_LINE = '\r\u001b[2K';

/** The process's terminal. */
export const streamTerminal = (stdout: TextStream, stderr: TextStream): Terminal => {
  const interactive = stderr.isTTY === true;
  let statusLine: string | undefined;
  const hideStatus = (): void => {
    if (statusLine !== undefined) stderr.write(CLEAR_LINE);
  };
  const showStatus = (): void => {
    if (statusLine !== undefined) stderr.write(statusLine);
  };
  return {
    interactive,
    columns: stdout.isTTY ? (stdout.columns ?? 100) : undefined,
    colors: stdout.isTTY === true && stdout.hasColors?.() === true,
    out(line = '') {
      hideStatus();
      stdout.write(`${line}\n`);
      showStatus();
    },
    info(line) {
      hideStatus();
      stderr.write(`${line}\n`);
      showStatus();
    },
    status(line) {
      if (!interactive) return;
      statusLine = line;
      stderr.write(`${CLEAR_LINE}${line}`);
    },
    clearStatus() {
      hideStatus();
      statusLine = undefined;
    },
  };
};
