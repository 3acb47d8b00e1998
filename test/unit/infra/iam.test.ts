import { describe, expect, it } from 'vitest';
import {
  ACTIONS_REQUIRING_ANY_RESOURCE,
  BUCKET_NOTIFICATIONS_HANDLER_PREFIX,
} from '../../../infra/compliance';
import { actionsOf, resourcesOfStatement } from '../../support/docflow-app';
import { synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

describe('IAM policies of the stack', () => {
  const docflow = synthesizeBeforeAll();

  it('never allow Action "*" or a service-wide or prefix wildcard action', () => {
    // Act
    const wildcards = docflow.iamStatements().flatMap(({ owner, statement }) =>
      actionsOf(statement)
        .filter((action) => action.includes('*'))
        .map((action) => `${owner}: ${action}`),
    );

    // Assess
    expect(wildcards).toEqual([]);
  });

  it('allow Resource "*" only for the actions AWS accepts on no narrower resource', () => {
    // Act
    const onAnyResource = docflow
      .iamStatements()
      .flatMap(({ owner, statement }) =>
        resourcesOfStatement(statement).includes('*')
          ? actionsOf(statement).map((action) => ({ owner, action }))
          : [],
      );

    // Assess
    expect(onAnyResource.length).toBeGreaterThan(0);
    const allowed: readonly string[] = ACTIONS_REQUIRING_ANY_RESOURCE;
    expect(onAnyResource.filter(({ action }) => !allowed.includes(action))).toEqual([]);
  });

  it('attach no managed policy to any app-owned role (only the API Gateway account logging role)', () => {
    // Act
    const withManaged = Object.entries(docflow.resourcesOf('AWS::IAM::Role'))
      // CDK's own custom-resource function that applies bucket notifications.
      .filter(([id]) => !id.startsWith(BUCKET_NOTIFICATIONS_HANDLER_PREFIX))
      .filter(([, role]) => role.Properties?.ManagedPolicyArns !== undefined)
      .map(([, role]) => JSON.stringify(role.Properties?.ManagedPolicyArns));

    // Assess
    expect(withManaged).toHaveLength(1);
    expect(withManaged[0]).toContain('AmazonAPIGatewayPushToCloudWatchLogs');
  });
});
