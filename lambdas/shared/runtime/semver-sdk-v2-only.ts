/**
 * Stands in for the `semver` package in the bundles (an esbuild alias, infra/constructs/docflow-function.ts).
 * Its one importer there is the X-Ray SDK's patcher for AWS SDK v2 (aws-xray-sdk-core's
 * patchers/aws_p.js), which calls `semver.gte` in `captureAWS` alone, to check the version of a whole
 * v2 SDK before patching it. No function can reach that call: they use SDK v3 clients captured with
 * `captureAWSv3Client`, SDK v2 is neither a dependency nor part of the nodejs24.x runtime, and no
 * source calls `captureAWS` (test/unit/infra/bundle-contents.test.ts checks both). So the 9 KB of
 * semver's version class and expressions stay out; were the call ever made, it fails loudly.
 */
export const gte = (): never => {
  throw new Error('semver is not bundled: docflow functions do not patch AWS SDK v2 (captureAWS)');
};
