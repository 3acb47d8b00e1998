import type { APIGatewayEventIdentity } from 'aws-lambda';

/**
 * The `requestContext.identity` API Gateway hands a REST proxy integration when the method has no IAM,
 * Cognito or API-key authorization: every field null but where the request came from. The local query
 * API builds its events with it, and the tests' API Gateway events too, so the two cannot drift apart.
 */
export const anonymousIdentity = (sourceIp: string, userAgent: string | null): APIGatewayEventIdentity => ({
  accessKey: null,
  accountId: null,
  apiKey: null,
  apiKeyId: null,
  caller: null,
  clientCert: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
  sourceIp,
  user: null,
  userAgent,
  userArn: null,
});
