/**
 * The one pair of credentials for the local cloud: its own clients, the functions' environments and the
 * CLI sign with it. The emulators accept any signature, except the local S3, which checks presigned POST
 * uploads against this pair. Fixed, so that a laptop without an AWS profile works and real credentials
 * never sign a request to the local cloud.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'docflow', secretAccessKey: 'docflow-local' } as const;
