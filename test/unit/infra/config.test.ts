import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../infra/config';
import { CONTEXT_KEYS } from '../../../infra/keys';
import { DEFAULT_LIMITS } from '../../../lambdas/shared/documents/limits';
import { DEFAULT_PRICES } from '../../../lambdas/shared/documents/prices';
import { cdkJsonContext } from '../../support/docflow-app';

const contextOf =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

describe('readConfig', () => {
  it('defaults to the dev stage, the default limits, the docflow namespace and a month of logs', () => {
    // Act
    const config = readConfig(contextOf({}));

    // Assess
    expect(config).toEqual({
      stage: 'dev',
      limits: DEFAULT_LIMITS,
      metricsNamespace: 'docflow',
      logRetention: RetentionDays.ONE_MONTH,
      starterTimeout: Duration.seconds(30),
      uploadCorsOrigins: [],
      prices: DEFAULT_PRICES,
    });
  });

  it('merges docflow:prices over the default price table, from an object (cdk.json) or JSON (-c)', () => {
    // Act
    const fromObject = readConfig(
      contextOf({ 'docflow:prices': { region: 'eu-west-1', sqs: { perRequest: 0 } } }),
    );
    const fromJson = readConfig(
      contextOf({ 'docflow:prices': '{"textract":{"asyncDocumentTextPerPage":0.0006}}' }),
    );

    // Assess
    expect(fromObject.prices).toEqual({ ...DEFAULT_PRICES, region: 'eu-west-1', sqs: { perRequest: 0 } });
    expect(fromJson.prices.textract).toEqual({
      detectDocumentTextPerPage: 0.0015,
      asyncDocumentTextPerPage: 0.0006,
    });
    expect(() => readConfig(contextOf({ 'docflow:prices': '{"lambda":{"perGb":1}}' }))).toThrow(
      /docflow:prices\.lambda/,
    );
    expect(() => readConfig(contextOf({ 'docflow:prices': '{oops' }))).toThrow(
      'docflow:prices must be a JSON object',
    );
  });

  it('reads upload CORS origins as a JSON list (cdk.json) or a comma-separated string (-c)', () => {
    // Act
    const fromList = readConfig(
      contextOf({ 'docflow:uploadCorsOrigins': ['https://a.example', 'http://127.0.0.1:*'] }),
    );
    const fromString = readConfig(
      contextOf({ 'docflow:uploadCorsOrigins': 'https://a.example, http://127.0.0.1:*' }),
    );
    const fromJson = readConfig(contextOf({ 'docflow:uploadCorsOrigins': '["https://a.example"]' }));

    // Assess
    expect(fromList.uploadCorsOrigins).toEqual(['https://a.example', 'http://127.0.0.1:*']);
    expect(fromString.uploadCorsOrigins).toEqual(['https://a.example', 'http://127.0.0.1:*']);
    expect(fromJson.uploadCorsOrigins).toEqual(['https://a.example']);
    expect(() => readConfig(contextOf({ 'docflow:uploadCorsOrigins': ['https://a.example/path'] }))).toThrow(
      'docflow:uploadCorsOrigins must list origins as scheme://host[:port] with at most one *, got "https://a.example/path"',
    );
    expect(() => readConfig(contextOf({ 'docflow:uploadCorsOrigins': 7 }))).toThrow(
      /must be a list of origins/,
    );
  });

  it('reads the starter timeout, which sets the ingest queue visibility, and refuses nonsense', () => {
    // Act
    const config = readConfig(contextOf({ 'docflow:starterTimeoutSeconds': '2' }));

    // Assess
    expect(config.starterTimeout.toSeconds()).toBe(2);
    expect(() => readConfig(contextOf({ 'docflow:starterTimeoutSeconds': 0 }))).toThrow(
      /whole number of seconds/,
    );
    expect(() => readConfig(contextOf({ 'docflow:starterTimeoutSeconds': 7201 }))).toThrow(/from 1 to 7200/);
  });

  it('reads cdk.json as committed', () => {
    // Act
    const config = readConfig(contextOf(cdkJsonContext()));

    // Assess
    expect(config.stage).toBe('dev');
    expect(config.logRetention).toBe(RetentionDays.ONE_MONTH);
  });

  it('overrides single limits from an object (cdk.json) or a JSON string (-c)', () => {
    // Act
    const fromObject = readConfig(contextOf({ [CONTEXT_KEYS.limits]: { maxPages: 10 } }));
    const fromString = readConfig(contextOf({ [CONTEXT_KEYS.limits]: '{"maxImagePixels": 1000}' }));

    // Assess
    expect(fromObject.limits).toEqual({ ...DEFAULT_LIMITS, maxPages: 10 });
    expect(fromString.limits).toEqual({ ...DEFAULT_LIMITS, maxImagePixels: 1000 });
  });

  it('reads the log retention from a number or a string', () => {
    // Act + Assess
    expect(readConfig(contextOf({ [CONTEXT_KEYS.logRetentionDays]: '7' })).logRetention).toBe(
      RetentionDays.ONE_WEEK,
    );
    expect(readConfig(contextOf({ [CONTEXT_KEYS.logRetentionDays]: 365 })).logRetention).toBe(
      RetentionDays.ONE_YEAR,
    );
  });

  it.each([
    [
      { [CONTEXT_KEYS.stage]: 'Prod' },
      'docflow:stage must be 1–20 lowercase letters, digits or dashes, got "Prod"',
    ],
    [{ [CONTEXT_KEYS.stage]: 3 }, 'docflow:stage must be a string'],
    [{ [CONTEXT_KEYS.limits]: { maxPage: 1 } }, 'docflow:limits.maxPage is not a limit'],
    [{ [CONTEXT_KEYS.limits]: { maxPages: 0 } }, 'docflow:limits.maxPages must be a positive integer'],
    [{ [CONTEXT_KEYS.limits]: [] }, 'docflow:limits must be an object'],
    [{ [CONTEXT_KEYS.logRetentionDays]: 9999 }, 'docflow:logRetentionDays must be one of'],
    [{ [CONTEXT_KEYS.logRetentionDays]: 2 }, 'docflow:logRetentionDays must be one of'],
    [
      { [CONTEXT_KEYS.metricsNamespace]: 'bad namespace' },
      'docflow:metricsNamespace is not a valid CloudWatch namespace',
    ],
  ])('rejects %o', (values, message) => {
    // Act + Assess
    expect(() => readConfig(contextOf(values))).toThrow(message);
  });
});
