import { describe, expect, it } from 'vitest';
import { compileEventPattern, InvalidEventPatternError } from '../../../../local/events/event-pattern';

// The "Step Functions Execution Status Change" example of the Step Functions developer guide.
const statusChange = {
  version: '0',
  id: '315c1398-40ff-a850-213b-158f73e60175',
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: '012345678912',
  time: '2019-02-26T19:42:21Z',
  region: 'us-east-1',
  resources: ['arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name'],
  detail: {
    executionArn: 'arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name',
    stateMachineArn: 'arn:aws:states:us-east-1:012345678912:stateMachine:state-machine',
    name: 'execution-name',
    status: 'FAILED',
    startDate: 1551225146847,
    stopDate: 1551225151881,
    input: '{}',
    output: null,
    error: 'States.Runtime',
    cause: null,
    redriveCount: 0,
    tags: ['pipeline', 'cost'],
  },
};

const matches = (pattern: unknown, event: unknown = statusChange): boolean =>
  compileEventPattern(pattern).matches(event);

describe('compileEventPattern: matching', () => {
  it.each([
    [
      'the docflow rule',
      { source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'] },
      true,
    ],
    ['an empty pattern', {}, true],
    ['a list is an OR', { detail: { status: ['SUCCEEDED', 'FAILED'] } }, true],
    ['keys are an AND', { source: ['aws.states'], detail: { status: ['SUCCEEDED'] } }, false],
    ['an event array matches when one element does', { resources: [{ prefix: 'arn:aws:states:' }] }, true],
    ['an event array of strings', { detail: { tags: ['cost'] } }, true],
    ['numbers compare as numbers', { detail: { redriveCount: [0.0] } }, true],
    ['a string is not a number', { detail: { redriveCount: ['0'] } }, false],
    ['null matches null', { detail: { output: [null] } }, true],
    ['null is not a missing field', { detail: { missing: [null] } }, false],
    ['prefix', { detail: { error: [{ prefix: 'States.' }] } }, true],
    ['prefix ignoring case', { detail: { error: [{ prefix: { 'equals-ignore-case': 'states.' } }] } }, true],
    ['suffix', { detail: { name: [{ suffix: '-name' }] } }, true],
    ['equals-ignore-case', { detail: { status: [{ 'equals-ignore-case': 'failed' }] } }, true],
    ['wildcard', { detail: { executionArn: [{ wildcard: 'arn:aws:states:*:execution:*' }] } }, true],
    ['an escaped star is a star', { detail: { name: [{ wildcard: 'execution\\*' }] } }, false],
    ['anything-but a value', { detail: { status: [{ 'anything-but': 'SUCCEEDED' }] } }, true],
    ['anything-but a list', { detail: { status: [{ 'anything-but': ['RUNNING', 'FAILED'] }] } }, false],
    ['anything-but a prefix', { detail: { error: [{ 'anything-but': { prefix: 'Lambda.' } }] } }, true],
    ['anything-but needs the field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    [
      'a numeric range',
      { detail: { startDate: [{ numeric: ['>', 1551225146000, '<=', 1551225146847] }] } },
      true,
    ],
    ['numeric equality', { detail: { redriveCount: [{ numeric: ['=', 1] }] } }, false],
    ['numeric ignores strings', { detail: { status: [{ numeric: ['>', 0] }] } }, false],
    ['exists', { detail: { error: [{ exists: true }] } }, true],
    ['exists on null', { detail: { cause: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { error: [{ exists: false }] } }, false],
    ['exists on an object is false: leaves only', { detail: [{ exists: true }] }, false],
    ['a nested pattern on a missing object', { nowhere: { field: [{ exists: false }] } }, true],
    ['$or', { detail: { $or: [{ status: ['SUCCEEDED'] }, { error: ['States.Runtime'] }] } }, true],
    ['$or with no alternative matching', { $or: [{ source: ['aws.s3'] }, { region: ['eu-west-1'] }] }, false],
    ['a leaf pattern against an object', { detail: ['x'] }, false],
  ])('%s', (_, pattern, expected) => {
    // Act and assess
    expect(matches(pattern)).toBe(expected);
  });

  it('accepts the pattern as JSON text, as AWS::Events::Rule may carry it', () => {
    // Act and assess
    expect(matches(JSON.stringify({ detail: { status: ['FAILED'] } }))).toBe(true);
    expect(matches('{"detail":{"status":["RUNNING"]}}')).toBe(false);
  });

  it('matches nothing that is not an object', () => {
    // Act and assess
    expect(matches({}, 'aws.states')).toBe(false);
    expect(matches({}, null)).toBe(false);
  });
});

describe('compileEventPattern: validation', () => {
  it.each([
    ['a leaf that is not an array', { source: 'aws.states' }, /"source" must be an object or an array/],
    ['an empty array', { source: [] }, /"source" is an empty array/],
    ['an unknown filter', { source: [{ 'starts-with': 'aws.' }] }, /unknown filter "starts-with"/],
    ['two operators in one filter', { source: [{ prefix: 'a', suffix: 'b' }] }, /exactly one operator/],
    ['a bad numeric operator', { detail: { n: [{ numeric: ['!=', 1] }] } }, /unknown operator "!="/],
    ['a reversed numeric range', { detail: { n: [{ numeric: ['<', 5, '>', 1] }] } }, /lower bound/],
    ['exists that is not a boolean', { detail: { n: [{ exists: 'yes' }] } }, /true or false/],
    ['cidr, which the local bus lacks', { detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, /cidr/],
    ['a lone $or', { $or: [{ source: ['a'] }] }, /at least two patterns/],
    ['not an object', ['aws.states'], /must be a JSON object/],
    ['not JSON', '{"source": [', /not valid JSON/],
  ])('refuses %s', (_, pattern, message) => {
    // Act and assess
    expect(() => compileEventPattern(pattern)).toThrow(InvalidEventPatternError);
    expect(() => compileEventPattern(pattern)).toThrow(message);
  });
});
