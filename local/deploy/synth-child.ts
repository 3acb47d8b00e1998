import { type ChildProcess, fork } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { buildJavaScriptEntry } from '../build/javascript-entry';
import { projectCacheFolder } from '../project-cache';
import type { SynthesizedStack, SynthOptions } from './synth';

/** What the synthesizing process tells its parent. */
export type SynthMessage =
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'synthesized'; readonly stack: SynthesizedStack }
  | { readonly type: 'failed'; readonly message: string };

/** What the parent asks: {@link SynthOptions} without the log callback, which travels as messages. */
export type SynthRequest = Omit<SynthOptions, 'log'>;

export interface ChildSynthOptions extends SynthOptions {
  /** Aborting stops the child (`up` stopped while it synthesized). */
  readonly signal?: AbortSignal;
}

const ENTRY = join(import.meta.dirname, 'synth-main.ts');

/** The CDK app could not be synthesized: the child's message, then the end of its tools' output. */
export class SynthesisError extends Error {
  override readonly name = 'SynthesisError';
}

/** How much of the tools' output a failed synthesis shows (the end, where their errors are). */
const OUTPUT_TAIL_CHARS = 8_000;

/** A synthesizing process, and what the tools it ran printed. */
interface SynthesisProcess {
  readonly child: ChildProcess;
  /** The end of what esbuild, npm and the CDK printed: shown only if the synthesis fails. */
  output(): string;
  /** Whether it keeps this process running: not while it waits unasked. */
  hold(held: boolean): void;
}

/** A synthesizing process started ahead of its request, not yet asked anything. */
let waiting: SynthesisProcess | undefined;

const forkSynthesis = (): SynthesisProcess => {
  const child = fork(buildJavaScriptEntry(ENTRY, projectCacheFolder('synth')), [], {
    execArgv: [],
    env: { ...process.env, NODE_COMPILE_CACHE: projectCacheFolder('synth-compile-cache') },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // A process that could not start is seen as disconnected when it is asked; until then, no crash.
  child.on('error', () => {});
  // The bundlers' banners and npm's lines for every function on a first start are noise when all
  // goes well; the progress worth a line comes as `log` messages.
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const handles = [child, child.channel, child.stdout as Socket | null, child.stderr as Socket | null];
  return {
    child,
    output: () => tail.trim(),
    hold: (held) => {
      for (const handle of handles) {
        if (held) handle?.ref();
        else handle?.unref();
      }
    },
  };
};

/**
 * Starts the synthesizing process before it is needed: loading aws-cdk-lib and the app's modules,
 * most of its time, then overlaps the caller's own loading (`docflow up` calls this before it loads
 * the local cloud). The next {@link synthesizeInChildProcess} asks this process; left unasked, it
 * ends with its parent.
 */
export const prestartSynthesis = (): void => {
  if (waiting) return;
  waiting = forkSynthesis();
  // Until asked, it keeps nothing waiting here: a `docflow up` that stops early exits at once.
  waiting.hold(false);
};

/**
 * {@link synthesizeApp} in a child process that ends with it. Loading aws-cdk-lib, building the app
 * and bundling leave 80–200 MB in a process that can never give it back (modules are not unloaded);
 * `docflow up` needs only the template afterwards, so the CDK's memory goes away with its process.
 * The child runs `synth-main.ts` built once into JavaScript, with Node's compile cache: synthesis is
 * on the way to `up`'s ready line, and under tsx, compiling everything afresh, it took twice as long
 * (docs/decisions.md 71). A failure rejects with the child's own message, so a user reads the same
 * line as when synthesis ran in-process.
 */
export const synthesizeInChildProcess = (options: ChildSynthOptions = {}): Promise<SynthesizedStack> => {
  const { log, signal, ...request } = options;
  const prestarted = waiting;
  waiting = undefined;
  const synthesis = prestarted?.child.connected ? prestarted : forkSynthesis();
  if (prestarted && prestarted !== synthesis) prestarted.child.kill();
  synthesis.hold(true);
  const { child } = synthesis;
  /** The child's message, and the tools' output that may say what went wrong. */
  const failure = (message: string): Error => {
    const output = synthesis.output();
    return new SynthesisError(output ? `${message}\n${output}` : message);
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', stop);
      outcome();
    };
    const stop = (): void => {
      child.kill();
    };
    child.on('message', (message: SynthMessage) => {
      if (message.type === 'log') log?.(message.line);
      else if (message.type === 'synthesized') settle(() => resolve(message.stack));
      else settle(() => reject(failure(message.message)));
    });
    child.on('error', (error) => settle(() => reject(error)));
    // 'close', not 'exit': by then the tools' last lines have been read.
    child.on('close', (code, exitSignal) =>
      settle(() =>
        reject(
          failure(
            `synthesizing the CDK app stopped (${exitSignal ?? `exit code ${code}`}) before it answered`,
          ),
        ),
      ),
    );
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
    child.send(request satisfies SynthRequest);
  });
};
