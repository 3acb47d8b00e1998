import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionConfig } from './measure-run';
import type { FunctionConfigurations } from './record-run-cost';

/** Lambda's defaults, for a configuration that leaves a field out. */
const DEFAULT_EPHEMERAL_STORAGE_MB = 512;

/**
 * {@link FunctionConfigurations} through GetFunctionConfiguration, cached for the life of the execution
 * environment: a function's memory changes only with a deployment, and one run names the same few
 * functions as every other. A failed read is not cached.
 */
export class LambdaFunctionConfigurations implements FunctionConfigurations {
  readonly #cache = new Map<string, Promise<FunctionConfig>>();

  constructor(private readonly lambda: LambdaClient) {}

  get(functionName: string): Promise<FunctionConfig> {
    const cached = this.#cache.get(functionName);
    if (cached) return cached;
    const read = this.#read(functionName);
    this.#cache.set(functionName, read);
    read.catch(() => this.#cache.delete(functionName));
    return read;
  }

  async #read(functionName: string): Promise<FunctionConfig> {
    const output = await this.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName }),
    );
    if (output.MemorySize === undefined) {
      throw new Error(`GetFunctionConfiguration of ${functionName} returned no MemorySize`);
    }
    return {
      memoryMb: output.MemorySize,
      // Lambda's default architecture is x86_64.
      architecture: output.Architectures?.includes('arm64') ? 'arm64' : 'x86_64',
      ephemeralStorageMb: output.EphemeralStorage?.Size ?? DEFAULT_EPHEMERAL_STORAGE_MB,
    };
  }
}
