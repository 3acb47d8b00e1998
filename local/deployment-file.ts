import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The CfnOutputs of the docflow stack (infra/stacks/docflow-stack.ts), by name. The local cloud writes
 * the same outputs a deployed stack reports, so the CLI reads one shape in both worlds.
 */
export const STACK_OUTPUT_NAMES = [
  'UploadsBucketName',
  'DerivativesBucketName',
  'ApiUrl',
  'StateMachineArn',
  'StateMachineConsoleUrl',
  'AlarmTopicArn',
  'FailedDocumentsQueueUrl',
] as const;
export type StackOutputName = (typeof STACK_OUTPUT_NAMES)[number];

/** File name of the deployment file inside the data folder. */
export const DEPLOYMENT_FILE_NAME = 'deployment.json';

const deploymentSchema = z.object({
  /** The one endpoint of every local AWS service (`AWS_ENDPOINT_URL`). */
  endpoint: z.url(),
  region: z.string().min(1),
  /** Base URL of the query API (`GET <apiUrl>documents`). */
  apiUrl: z.url(),
  /** Stack outputs by name (see {@link STACK_OUTPUT_NAMES}); unknown names are kept. */
  outputs: z.record(z.string(), z.string()),
});

/**
 * What a running local cloud tells its clients: `.docflow/deployment.json`.
 *
 * ```json
 * { "endpoint": "http://127.0.0.1:4566", "region": "us-east-1", "apiUrl": "http://127.0.0.1:4567/",
 *   "outputs": { "UploadsBucketName": "…", "ApiUrl": "…", "FailedDocumentsQueueUrl": "…", … } }
 * ```
 */
export type LocalDeployment = z.output<typeof deploymentSchema>;

/** The deployment file exists but is not one (hand-edited, cut short, or from another tool). */
export class DeploymentFileError extends Error {
  override readonly name = 'DeploymentFileError';
}

/** A deployment (local or deployed) lacks an output the caller needs. */
export class MissingStackOutputError extends Error {
  override readonly name = 'MissingStackOutputError';
}

/** Where the deployment file of a data folder lives. */
export const deploymentFilePath = (dataDir: string): string => join(dataDir, DEPLOYMENT_FILE_NAME);

/**
 * Writes the deployment file atomically (temporary file, then rename), so a client never reads half
 * of one while the local cloud starts.
 */
export const writeDeploymentFile = async (dataDir: string, deployment: LocalDeployment): Promise<string> => {
  const parsed = deploymentSchema.parse(deployment);
  const path = deploymentFilePath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(temporary, `${JSON.stringify(parsed, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
  return path;
};

/**
 * Reads the deployment file of a data folder; undefined when there is none (the local cloud is not up).
 *
 * @throws DeploymentFileError when the file is there but malformed
 */
export const readDeploymentFile = async (dataDir: string): Promise<LocalDeployment | undefined> => {
  const path = deploymentFilePath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DeploymentFileError(`${path} is not JSON`, { cause: error });
  }
  const parsed = deploymentSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new DeploymentFileError(`${path} is not a docflow deployment file (${problems.join('; ')})`);
  }
  return parsed.data;
};

/** Removes the deployment file (the local cloud stopped); nothing happens when there is none. */
export const removeDeploymentFile = async (dataDir: string): Promise<void> => {
  await rm(deploymentFilePath(dataDir), { force: true });
};

/**
 * One stack output, or an error naming the output and what has it, so an older deployment that lacks
 * a newer output fails clearly.
 */
export const requireOutput = (
  outputs: Readonly<Record<string, string>>,
  name: StackOutputName,
  source: string,
): string => {
  const value = outputs[name];
  if (value === undefined || value === '') {
    throw new MissingStackOutputError(
      `${source} has no output ${name}: redeploy the stack (or restart the local cloud)`,
    );
  }
  return value;
};
