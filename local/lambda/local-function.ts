import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { TracingMode } from './service-segments';

/** One function as the template declares it. */
export interface LocalFunction {
  readonly name: string;
  readonly arn: string;
  /**
   * The function's code: the folder of its unzipped deployment package (the asset `cdk deploy`
   * uploads), which becomes `LAMBDA_TASK_ROOT` and the working directory.
   */
  readonly codeDirectory: string;
  /** `Handler`: the module in the code folder and its export, as `index.handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Upper bound on concurrent executions; 0 throttles every invocation, as on AWS. */
  readonly reservedConcurrency?: number;
  /** The template's runtime, for `AWS_EXECUTION_ENV`. @default 'nodejs24.x' */
  readonly runtime?: string;
  /** `TracingConfig.Mode`: `Active` samples invocations that come without a decision. @default 'PassThrough' */
  readonly tracing?: TracingMode;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Refuses what Lambda's CreateFunction would refuse, and a code folder that is not there. */
export const validateFunction = (fn: LocalFunction): void => {
  if (!FUNCTION_NAME.test(fn.name)) throw new Error(`invalid function name "${fn.name}"`);
  if (!isAbsolute(fn.codeDirectory)) {
    throw new Error(`function ${fn.name}: its code directory must be an absolute path`);
  }
  if (!statSync(fn.codeDirectory, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`function ${fn.name}: its code directory ${fn.codeDirectory} does not exist`);
  }
  if (!/^\S+$/.test(fn.handler)) throw new Error(`function ${fn.name}: handler "${fn.handler}" is invalid`);
  if (!Number.isFinite(fn.timeoutSeconds) || fn.timeoutSeconds <= 0 || fn.timeoutSeconds > 900) {
    throw new Error(`function ${fn.name}: timeout must be between 1 and 900 seconds`);
  }
  if (!Number.isSafeInteger(fn.memoryMb) || fn.memoryMb < 128 || fn.memoryMb > 10_240) {
    throw new Error(`function ${fn.name}: memory must be between 128 and 10240 MB`);
  }
  const reserved = fn.reservedConcurrency;
  if (reserved !== undefined && (!Number.isSafeInteger(reserved) || reserved < 0)) {
    throw new Error(`function ${fn.name}: reserved concurrency must be a non-negative integer`);
  }
};
