import { describe, expect, it } from 'vitest';
import {
  type EventRuleSpec,
  type EventTargetPorts,
  LocalEventBus,
  TargetDeliveryError,
} from '../../../../local/events/event-bus';
import { InvalidTargetInputError } from '../../../../local/events/target-input';

const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:record-cost';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:audit';
const DLQ = 'arn:aws:sqs:us-east-1:000000000000:record-cost-dlq';

interface Sent {
  readonly to: string;
  readonly body: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Ports that record what reaches them; `lambdaFails` decides each invocation's fate in turn. */
const recordingPorts = (lambdaFails: (attempt: number) => Error | undefined = () => undefined) => {
  const invocations: Sent[] = [];
  const messages: Sent[] = [];
  const ports: EventTargetPorts = {
    invokeLambdaAsync: async (to, body) => {
      invocations.push({ to, body });
      const failure = lambdaFails(invocations.length);
      if (failure) throw failure;
    },
    sendToQueue: async (to, body, attributes) => {
      messages.push({ to, body, ...(attributes ? { attributes } : {}) });
    },
  };
  return { ports, invocations, messages };
};

const rule = (overrides: Partial<EventRuleSpec> = {}): EventRuleSpec => ({
  name: 'record-cost',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/record-cost',
  eventPattern: { source: ['aws.states'], detail: { status: ['SUCCEEDED', 'FAILED'] } },
  enabled: true,
  targets: [
    {
      id: 'Target0',
      arn: FUNCTION,
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
      deadLetterQueueArn: DLQ,
    },
  ],
  ...overrides,
});

const busWith = (ports: EventTargetPorts) =>
  new LocalEventBus({ region: 'us-east-1', accountId: '000000000000', ports, retryBaseDelayMs: 1 });

const succeeded = {
  source: 'aws.states',
  detailType: 'Status Change',
  detail: { status: 'SUCCEEDED', name: 'a' },
};

describe('LocalEventBus', () => {
  it('delivers a matching event, enveloped as EventBridge does, to the rule’s function', async () => {
    // Prepare
    const { ports, invocations } = recordingPorts();
    const bus = busWith(ports);
    bus.putRule(rule());

    // Act
    const { event, matchedRules } = bus.put({
      ...succeeded,
      resources: ['arn:x'],
      time: new Date(Date.UTC(2019, 1, 26, 19, 42, 21, 984)),
    });
    await bus.idle();

    // Assess
    expect(matchedRules).toEqual(['record-cost']);
    expect(invocations).toEqual([{ to: FUNCTION, body: JSON.stringify(event) }]);
    expect(JSON.parse(invocations[0]?.body ?? '')).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Status Change',
      source: 'aws.states',
      account: '000000000000',
      time: '2019-02-26T19:42:21Z',
      region: 'us-east-1',
      resources: ['arn:x'],
      detail: { status: 'SUCCEEDED', name: 'a' },
    });
  });

  it('delivers nothing for an event no rule matches, nor for a disabled rule', async () => {
    // Prepare
    const { ports, invocations } = recordingPorts();
    const bus = busWith(ports);
    bus.putRule(rule());
    bus.putRule(rule({ name: 'off', enabled: false, eventPattern: {} }));

    // Act
    const running = bus.put({ ...succeeded, detail: { status: 'RUNNING' } });
    await bus.idle();

    // Assess
    expect(running.matchedRules).toEqual([]);
    expect(invocations).toEqual([]);
  });

  it('retries a failed delivery up to MaximumRetryAttempts, then sends the event to the dead-letter queue', async () => {
    // Prepare
    const { ports, invocations, messages } = recordingPorts(() =>
      Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' }),
    );
    const bus = busWith(ports);
    bus.putRule(rule());

    // Act
    const { event } = bus.put(succeeded);
    await bus.idle();

    // Assess
    expect(invocations).toHaveLength(3);
    expect(messages).toEqual([
      {
        to: DLQ,
        body: JSON.stringify(event),
        attributes: {
          RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/record-cost',
          TARGET_ARN: FUNCTION,
          ERROR_CODE: 'THROTTLING',
          ERROR_MESSAGE: 'Rate exceeded',
          RETRY_ATTEMPTS: '2',
          EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
        },
      },
    ]);
  });

  it('delivers on a retry after a transient failure, and sends nothing to the dead-letter queue', async () => {
    // Prepare
    const { ports, invocations, messages } = recordingPorts((attempt) =>
      attempt === 1 ? new Error('socket hang up') : undefined,
    );
    const bus = busWith(ports);
    bus.putRule(rule());

    // Act
    bus.put(succeeded);
    await bus.idle();

    // Assess
    expect(invocations).toHaveLength(2);
    expect(messages).toEqual([]);
  });

  it('sends an event for a target that does not exist to the dead-letter queue at once', async () => {
    // Prepare
    const { ports, invocations, messages } = recordingPorts(
      () => new TargetDeliveryError('RESOURCE_NOT_FOUND', 'Function not found', false),
    );
    const bus = busWith(ports);
    bus.putRule(rule());

    // Act
    bus.put(succeeded);
    await bus.idle();

    // Assess
    expect(invocations).toHaveLength(1);
    expect(messages.map((message) => message.attributes)).toEqual([
      expect.objectContaining({ ERROR_CODE: 'RESOURCE_NOT_FOUND', RETRY_ATTEMPTS: '0' }),
    ]);
    expect(messages[0]?.attributes).not.toHaveProperty('EXHAUSTED_RETRY_CONDITION');
  });

  it('gives each target its own input: constant, a path, a transformed template; queues get it too', async () => {
    // Prepare
    const { ports, invocations, messages } = recordingPorts();
    const bus = busWith(ports);
    const retryPolicy = { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 };
    bus.putRule(
      rule({
        targets: [
          { id: 'constant', arn: FUNCTION, retryPolicy, input: '{"fixed":true}' },
          { id: 'path', arn: FUNCTION, retryPolicy, inputPath: '$.detail' },
          {
            id: 'template',
            arn: QUEUE,
            retryPolicy,
            inputTransformer: {
              inputPathsMap: { name: '$.detail.name', status: '$.detail.status', none: '$.detail.nothing' },
              inputTemplate:
                '{"text": "run <name> is <status> (<none>)", "status": <status>, "none": <none>, "rule": "<aws.events.rule-name>"}',
            },
          },
        ],
      }),
    );

    // Act
    bus.put(succeeded);
    await bus.idle();

    // Assess
    expect(invocations.map((invocation) => JSON.parse(invocation.body))).toEqual([
      { fixed: true },
      { status: 'SUCCEEDED', name: 'a' },
    ]);
    expect(messages.map((message) => [message.to, JSON.parse(message.body)])).toEqual([
      [QUEUE, { text: 'run a is SUCCEEDED ()', status: 'SUCCEEDED', none: null, rule: 'record-cost' }],
    ]);
  });

  it('refuses a rule whose target input EventBridge would refuse', () => {
    // Prepare
    const bus = busWith(recordingPorts().ports);
    const retryPolicy = { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 };

    // Act and assess
    expect(() =>
      bus.putRule(
        rule({ targets: [{ id: 'both', arn: FUNCTION, retryPolicy, input: '{}', inputPath: '$.detail' }] }),
      ),
    ).toThrow(InvalidTargetInputError);
    expect(() =>
      bus.putRule(rule({ targets: [{ id: 'text', arn: FUNCTION, retryPolicy, input: 'not json' }] })),
    ).toThrow(/Input must be valid JSON/);
  });

  it('stops waiting retries when it stops', async () => {
    // Prepare
    const { ports, invocations, messages } = recordingPorts(() => new Error('down'));
    const bus = new LocalEventBus({
      region: 'us-east-1',
      accountId: '000000000000',
      ports,
      retryBaseDelayMs: 3_600_000,
      maxRetryDelayMs: 3_600_000,
    });
    bus.putRule(rule());
    bus.put(succeeded);
    await new Promise((resolve) => setImmediate(resolve));

    // Act
    await bus.stop();

    // Assess
    expect(invocations).toHaveLength(1);
    expect(messages).toEqual([]);
  });
});
