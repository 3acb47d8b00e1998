import type { LocalFunction } from './local-function';

/** The host variables an environment keeps; everything else comes from the function's configuration. */
const HOST_VARIABLES = ['PATH', 'TMPDIR'] as const;

export interface VariableSources {
  readonly region: string;
  /** Variables every function sees beneath its own (credentials, local endpoints). */
  readonly environment: Readonly<Record<string, string>>;
  /** `AWS_XRAY_DAEMON_ADDRESS`, when there is a daemon. */
  readonly xrayDaemonAddress: string | undefined;
}

/**
 * The variables of one function's execution environments, as Lambda's Node runtime sets them:
 * host basics < runner-wide variables < the function's own < the variables Lambda reserves.
 * `AWS_LAMBDA_LOG_STREAM_NAME` differs per environment and is added when one starts.
 */
export const lambdaVariables = (fn: LocalFunction, sources: VariableSources): Record<string, string> => {
  const host = Object.fromEntries(
    HOST_VARIABLES.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  ) as Record<string, string>;
  const daemon = sources.xrayDaemonAddress;
  return {
    ...host,
    LANG: 'en_US.UTF-8',
    // The bootstrap's NODE_PATH ends with the task root; layers and /var/runtime do not exist here.
    NODE_PATH: fn.codeDirectory,
    ...sources.environment,
    ...fn.environment,
    AWS_REGION: sources.region,
    AWS_DEFAULT_REGION: sources.region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupOf(fn),
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime ?? 'nodejs24.x'}`,
    // Its presence also puts aws-xray-sdk-core (and Powertools Tracer with it) in Lambda mode.
    LAMBDA_TASK_ROOT: fn.codeDirectory,
    LAMBDA_RUNTIME_DIR: import.meta.dirname,
    TZ: ':UTC',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    ...(daemon
      ? {
          AWS_XRAY_DAEMON_ADDRESS: daemon,
          _AWS_XRAY_DAEMON_ADDRESS: daemon.slice(0, daemon.lastIndexOf(':')),
          _AWS_XRAY_DAEMON_PORT: daemon.slice(daemon.lastIndexOf(':') + 1),
        }
      : {}),
    _HANDLER: fn.handler,
  };
};

const logGroupOf = (fn: LocalFunction): string => `/aws/lambda/${fn.name}`;
