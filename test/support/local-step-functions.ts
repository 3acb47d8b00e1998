import type { LocalStepFunctionsOptions } from '../../local/stepfunctions/service';
import type { LambdaInvoker } from '../../local/stepfunctions/task-bindings';
import { TEST_ACCOUNT, TEST_AWS } from './aws';

/**
 * The local Step Functions' options as the tests run it: on the given emulators, in the test region
 * and account, with no wait between retries so that a retried Task costs no test time.
 */
export const testStepFunctionsOptions = (
  invokeLambda: LambdaInvoker,
  endpoints: LocalStepFunctionsOptions['endpoints'],
): LocalStepFunctionsOptions => ({
  invokeLambda,
  endpoints,
  region: TEST_AWS.region,
  accountId: TEST_ACCOUNT,
  credentials: TEST_AWS.credentials,
  waits: { retryIntervalMs: 0 },
});
