import { DEFAULT_API_PORT, startLocalCloud } from '../../local/cloud';
import { removeDeploymentFile } from '../../local/deployment-file';
import { DEFAULT_GATEWAY_PORT } from '../../local/gateway';
import { upOptions } from '../command-options';
import type { Command } from '../context';
import { EXIT } from '../errors';
import { displayPath } from '../paths';

/** Resolves with the first SIGINT or SIGTERM, then stops listening: a second Ctrl-C ends the process at once. */
const firstStopSignal = (): Promise<NodeJS.Signals> =>
  new Promise((resolve) => {
    const stopOn = (received: NodeJS.Signals): void => {
      process.off('SIGINT', stopOn);
      process.off('SIGTERM', stopOn);
      resolve(received);
    };
    process.on('SIGINT', stopOn);
    process.on('SIGTERM', stopOn);
  });

/** `docflow up [--port 4566] [--fresh]`: the local cloud, until Ctrl-C. */
export const up: Command = async ({ values }, context) => {
  const options = upOptions(values, { port: DEFAULT_GATEWAY_PORT, apiPort: DEFAULT_API_PORT });
  const { terminal } = context;
  const stopSignal = firstStopSignal();
  const cloud = await startLocalCloud({
    dataDir: context.dataDir,
    port: options.port,
    apiPort: options.apiPort,
    fresh: options.fresh,
    log: (line) => terminal.info(line),
  });
  const outputs = cloud.localDeployment.outputs;
  const uploads = outputs.UploadsBucketName ? `s3://${outputs.UploadsBucketName}/incoming/` : '–';
  terminal.info(
    `docflow ready · AWS endpoint ${cloud.endpoint} · query API ${cloud.apiUrl} · uploads ${uploads} · data ${displayPath(cloud.dataDir, context.cwd)}`,
  );
  terminal.info(
    'Try `npx docflow demo`, `npx docflow upload <file> --wait`, `npx docflow ls`. Ctrl-C stops.',
  );
  const signal = await stopSignal;
  terminal.info(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the local cloud…`);
  // The deployment file goes first: from now on the CLI says "not running" instead of timing out.
  await removeDeploymentFile(cloud.dataDir);
  await cloud.stop();
  terminal.info('Stopped; the state is kept for the next start.');
  return EXIT.ok;
};
