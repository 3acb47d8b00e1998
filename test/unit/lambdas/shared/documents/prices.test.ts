import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICES,
  InvalidPriceTableError,
  mergePrices,
  PRICES_ENV,
  priceTableSchema,
  readPrices,
} from '../../../../../lambdas/shared/documents/prices';

describe('the price table', () => {
  it('holds the us-east-1 list prices it cites, per unit', () => {
    // Assess: figures as AWS publishes them (per 1,000 or per million), divided by hand.
    expect(DEFAULT_PRICES.region).toBe('us-east-1');
    expect(DEFAULT_PRICES.stepFunctions.perStateTransition).toBeCloseTo(0.000025, 12);
    expect(DEFAULT_PRICES.lambda.perRequest).toBeCloseTo(0.0000002, 12);
    expect(DEFAULT_PRICES.lambda.arm64PerGbSecond).toBe(0.0000133334);
    expect(DEFAULT_PRICES.textract.detectDocumentTextPerPage).toBeCloseTo(0.0015, 12);
    expect(DEFAULT_PRICES.s3.tier1PerRequest).toBeCloseTo(0.000005, 12);
    expect(DEFAULT_PRICES.s3.tier2PerRequest).toBeCloseTo(0.0000004, 12);
    expect(DEFAULT_PRICES.dynamodb.perWriteRequestUnit).toBeCloseTo(0.000000625, 12);
    expect(DEFAULT_PRICES.sqs.perRequest).toBeCloseTo(0.0000004, 12);
    expect(priceTableSchema.safeParse(DEFAULT_PRICES).success).toBe(true);
  });

  it('merges a partial override over the defaults, keeping every other figure', () => {
    // Act
    const merged = mergePrices(DEFAULT_PRICES, {
      region: 'eu-west-1',
      textract: { asyncDocumentTextPerPage: 0.0006 },
    });

    // Assess
    expect(merged.region).toBe('eu-west-1');
    expect(merged.textract).toEqual({ detectDocumentTextPerPage: 0.0015, asyncDocumentTextPerPage: 0.0006 });
    expect(merged.lambda).toEqual(DEFAULT_PRICES.lambda);
  });

  it('refuses an unknown key or a bad value, naming its path', () => {
    expect(() => mergePrices(DEFAULT_PRICES, { textract: { pagePrice: 1 } }, 'docflow:prices')).toThrow(
      /docflow:prices\.textract/,
    );
    expect(() => mergePrices(DEFAULT_PRICES, { sqs: { perRequest: -1 } })).toThrow(InvalidPriceTableError);
    expect(() => mergePrices(DEFAULT_PRICES, { lambda: 'cheap' })).toThrow(/prices\.lambda/);
    expect(() => mergePrices(DEFAULT_PRICES, [1])).toThrow('prices must be an object');
  });

  it('reads the whole table from the environment, or the defaults without one', () => {
    // Prepare
    const table = mergePrices(DEFAULT_PRICES, { sns: { perPublish: 0 } });

    // Act + Assess
    expect(readPrices(JSON.stringify(table))).toEqual(table);
    expect(readPrices(undefined)).toEqual(DEFAULT_PRICES);
    expect(() => readPrices('{"region":"x"}')).toThrow(new RegExp(PRICES_ENV));
    expect(() => readPrices('not json')).toThrow(`${PRICES_ENV} is not JSON`);
  });
});
