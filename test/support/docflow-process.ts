import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../local/cloud';
import { LOCAL_CREDENTIALS } from '../../local/credentials';

/** How a `docflow` process ended and what it printed. */
export interface DocflowRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `docflow …` as a user does: through bin/docflow.mjs in its own process, to its end. `env`
 * replaces this process's environment when given.
 */
export const runDocflow = (
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv },
): Promise<DocflowRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'docflow.mjs'), ...args], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });

/**
 * The environment of an AWS tool pointed at the local cloud like at any endpoint: its URL, region and
 * credentials, a home of its own, and nothing else of this process's (no docflow data folder).
 */
export const awsToolEnv = (
  cloud: { readonly endpoint: string; readonly region: string },
  home: string,
): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: home,
  AWS_ENDPOINT_URL: cloud.endpoint,
  AWS_REGION: cloud.region,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
});
