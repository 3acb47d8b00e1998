import { fork } from 'node:child_process';
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
  return new Promise((resolve, reject) => {
    const child = fork(buildJavaScriptEntry(ENTRY, projectCacheFolder('synth')), [], {
      execArgv: [],
      env: { ...process.env, NODE_COMPILE_CACHE: projectCacheFolder('synth-compile-cache') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      ...(signal ? { signal } : {}),
    });
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
    };
    child.on('message', (message: SynthMessage) => {
      if (message.type === 'log') log?.(message.line);
      else if (message.type === 'synthesized') settle(() => resolve(message.stack));
      else settle(() => reject(new Error(message.message)));
    });
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', (code, signal) =>
      settle(() =>
        reject(
          new Error(`synthesizing the CDK app stopped (${signal ?? `exit code ${code}`}) before it answered`),
        ),
      ),
    );
    child.send(request satisfies SynthRequest);
  });
};
