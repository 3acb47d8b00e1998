import { describe, expect, it } from 'vitest';
import {
  assertValidName,
  executionArnOf,
  parseExecutionArn,
  parseStateMachineArn,
  stateMachineArnOf,
} from '../../../../local/stepfunctions/arns';

const PARTITION = { region: 'eu-west-1', accountId: '123456789012' } as const;

describe('execution and state machine names', () => {
  it.each(['a', 'x'.repeat(80), 'doc_abc-123.v2', 'naïve-ünïcode-名前', 'emoji-\u{1F600}'])(
    'accepts %j',
    (name) => {
      // Act + Assess
      expect(() => assertValidName(name)).not.toThrow();
    },
  );

  it.each([
    ['a space', 'a b', 'InvalidName'],
    ['a tab', 'a\tb', 'InvalidName'],
    ['a no-break space', 'a\u00a0b', 'InvalidName'],
    ['angle brackets', 'a<b>', 'InvalidName'],
    ['braces', 'a{b}', 'InvalidName'],
    ['a question mark', 'a?', 'InvalidName'],
    ['a double quote', 'a"b', 'InvalidName'],
    ['a percent sign', '100%', 'InvalidName'],
    ['a backslash', 'a\\b', 'InvalidName'],
    ['a caret, pipe and tilde', '^|~', 'InvalidName'],
    ['a backtick', 'a`b', 'InvalidName'],
    ['a dollar and ampersand', '$&', 'InvalidName'],
    ['a comma and semicolon', 'a,b;c', 'InvalidName'],
    ['a C1 control character', 'a\u0085b', 'InvalidName'],
    ['DEL', 'a\u007fb', 'InvalidName'],
    ['a lone surrogate', 'a\ud800b', 'InvalidName'],
    ['U+FFFF', 'a\uffffb', 'InvalidName'],
    ['81 characters', 'x'.repeat(81), 'ValidationException'],
    ['nothing', '', 'ValidationException'],
  ])('refuses %s as %s', (_kind, name, error) => {
    // Act
    const refuse = () => assertValidName(name);

    // Assess
    expect(refuse).toThrow(expect.objectContaining({ name: error }));
  });
});

describe('ARNs', () => {
  it('builds and parses state machine and execution ARNs', () => {
    // Prepare
    const machine = stateMachineArnOf(PARTITION, 'Pipeline');
    const execution = executionArnOf(PARTITION, 'Pipeline', 'run-1');

    // Act
    const parsedMachine = parseStateMachineArn(machine);
    const parsedExecution = parseExecutionArn(execution);

    // Assess
    expect(machine).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline');
    expect(execution).toBe('arn:aws:states:eu-west-1:123456789012:execution:Pipeline:run-1');
    expect(parsedMachine).toEqual({ name: 'Pipeline' });
    expect(parsedExecution).toEqual({ stateMachineName: 'Pipeline', name: 'run-1' });
  });

  it.each([
    'arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline:1',
    'arn:aws:states:eu-west-1:123456789012:execution:Pipeline:run-1',
    'arn:aws:lambda:eu-west-1:123456789012:function:Pipeline',
    'Pipeline',
  ])('refuses %s as a state machine ARN', (arn) => {
    // Act + Assess
    expect(() => parseStateMachineArn(arn)).toThrow(expect.objectContaining({ name: 'InvalidArn' }));
  });
});
