import { describe, expect, it } from 'vitest';
import { planDeployment } from '../../../../../local/deploy/plan';
import { ACKNOWLEDGED_TYPES, RESOURCE_HANDLERS } from '../../../../../local/deploy/resources/registry';
import type { CfnTemplate } from '../../../../../local/deploy/template';

const plan = (template: CfnTemplate) =>
  planDeployment(template, {
    stackName: 'Docflow-test',
    region: 'us-east-1',
    queueEndpoint: 'http://127.0.0.1:4566',
    projectRoot: '/nonexistent',
  });

describe('the resource registry', () => {
  it('gives each type one handler that claims it, and never both handles and acknowledges a type', () => {
    // Assess
    for (const [type, handler] of RESOURCE_HANDLERS) {
      expect(handler.types, type).toContain(type);
      expect(ACKNOWLEDGED_TYPES[type], type).toBeUndefined();
    }
    expect(RESOURCE_HANDLERS.get('AWS::SQS::Queue')?.types).toEqual(['AWS::SQS::Queue']);
  });

  it('refuses a type it neither handles nor acknowledges, naming the type, the resource and where to add it', () => {
    // Prepare
    const template: CfnTemplate = { Resources: { Network: { Type: 'AWS::EC2::VPC', Properties: {} } } };

    // Assess
    expect(() => plan(template)).toThrow(
      /^Network is of type AWS::EC2::VPC, which the local cloud does not support: .*local\/deploy\/resources\//,
    );
  });

  it('plans a type through its handler: a queue from a template of one queue', () => {
    // Act
    const { steps } = plan({
      Resources: { Jobs: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: 5 } } },
    });

    // Assess
    expect(steps).toMatchObject([{ kind: 'queue', logicalId: 'Jobs', attributes: { DelaySeconds: '5' } }]);
  });

  it('names every placeholder a state machine has no substitution for', () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            DefinitionString: `{"StartAt":"$\{First}","States":{"$\{Second}":{"Type":"Pass","End":true}}}`,
            DefinitionSubstitutions: { Third: 'x' },
          },
        },
      },
    };

    // Assess
    expect(() => plan(template)).toThrow(
      `Machine (AWS::StepFunctions::StateMachine) at Properties.DefinitionSubstitutions: has no value for $\{First}, $\{Second}`,
    );
  });
});
