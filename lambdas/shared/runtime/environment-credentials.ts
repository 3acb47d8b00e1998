import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node`'s default chain in the bundles (an esbuild alias,
 * infra/constructs/docflow-function.ts). Lambda hands a function its role's credentials in environment
 * variables, the chain's first link, as the local cloud does; the rest of the chain (ini files, SSO,
 * STS web identity, processes, container and instance metadata, and the STS and SSO clients they
 * carry) could never answer there and weighs 110–135 KB in every bundle. Tests and local tools that
 * run the sources keep the whole chain.
 */
export const defaultProvider = (init?: FromEnvInit) => fromEnv(init);
