import type { ConsoleTarget } from '../console/server/target';
import type { LocalCloud } from '../local/cloud';
import { LOCAL_CREDENTIALS } from '../local/credentials';

/** The console's target for a local cloud started in this process: its own endpoint, API and outputs. */
export const localConsoleTarget = (cloud: LocalCloud): ConsoleTarget => ({
  kind: 'local',
  description: `the local cloud at ${cloud.endpoint}`,
  region: cloud.region,
  credentials: LOCAL_CREDENTIALS,
  endpoint: cloud.endpoint,
  apiUrl: cloud.apiUrl,
  outputs: cloud.localDeployment.outputs,
});
