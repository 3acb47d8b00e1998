import { describe, expect, it } from 'vitest';
import {
  type CorsRule,
  corsConfigurationXml,
  corsHeaders,
  matchCorsRule,
  parseCorsConfiguration,
} from '../../../../local/s3/bucket-cors';
import { S3ServiceError } from '../../../../local/s3/s3-error';

const rule = (overrides: Partial<CorsRule> = {}): CorsRule => ({
  allowedMethods: ['POST'],
  allowedOrigins: ['http://127.0.0.1:*'],
  allowedHeaders: [],
  exposeHeaders: [],
  ...overrides,
});

const refusalOf = (action: () => unknown) => {
  try {
    action();
  } catch (error) {
    if (error instanceof S3ServiceError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('accepted');
};

describe('parseCorsConfiguration', () => {
  it('reads every element of the rules and writes them back as GetBucketCors answers', () => {
    // Prepare
    const xml =
      '<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>console</ID>' +
      '<AllowedHeader>x-amz-*</AllowedHeader><AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod>' +
      '<AllowedOrigin>http://127.0.0.1:*</AllowedOrigin><ExposeHeader>ETag</ExposeHeader>' +
      '<MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>';

    // Act
    const rules = parseCorsConfiguration(xml);

    // Assess
    expect(rules).toEqual([
      {
        id: 'console',
        allowedHeaders: ['x-amz-*'],
        allowedMethods: ['POST', 'GET'],
        allowedOrigins: ['http://127.0.0.1:*'],
        exposeHeaders: ['ETag'],
        maxAgeSeconds: 3000,
      },
    ]);
    expect(parseCorsConfiguration(corsConfigurationXml(rules))).toEqual(rules);
  });

  it.each([
    ['no rule', '<CORSConfiguration/>', 'MalformedXML'],
    [
      'a rule without an origin',
      '<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>',
      'MalformedXML',
    ],
    [
      'an unsupported method',
      '<CORSConfiguration><CORSRule><AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>',
      'InvalidRequest',
    ],
    [
      'two wildcards in an origin',
      '<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>http://*.example.*</AllowedOrigin></CORSRule></CORSConfiguration>',
      'InvalidRequest',
    ],
    ['XML that is not', '<CORSConfiguration><CORSRule>', 'MalformedXML'],
  ])('refuses %s', (_, xml, code) => {
    // Act
    const refused = refusalOf(() => parseCorsConfiguration(xml));

    // Assess
    expect(refused.code).toBe(code);
  });

  it('names the method S3 does not support', () => {
    // Act
    const refused = refusalOf(() =>
      parseCorsConfiguration(
        '<CORSConfiguration><CORSRule><AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>',
      ),
    );

    // Assess
    expect(refused.message).toBe('Found unsupported HTTP method in CORS config. Unsupported method is PATCH');
  });
});

describe('matchCorsRule', () => {
  it('matches an origin against one wildcard, the method exactly, and every requested header', () => {
    // Prepare
    const rules = [rule(), rule({ id: 'get', allowedMethods: ['GET'], allowedHeaders: ['X-Amz-*'] })];

    // Act
    const post = matchCorsRule(rules, 'http://127.0.0.1:5173', 'POST');
    const otherHost = matchCorsRule(rules, 'http://evil.example:5173', 'POST');
    const put = matchCorsRule(rules, 'http://127.0.0.1:5173', 'PUT');
    const withHeader = matchCorsRule(rules, 'http://127.0.0.1:1', 'GET', ['x-amz-date']);
    const withOtherHeader = matchCorsRule(rules, 'http://127.0.0.1:1', 'GET', [
      'x-amz-date',
      'authorization',
    ]);
    const headerOnPost = matchCorsRule(rules, 'http://127.0.0.1:1', 'POST', ['x-amz-date']);

    // Assess
    expect(post).toBe(rules[0]);
    expect(otherHost).toBeUndefined();
    expect(put).toBeUndefined();
    expect(withHeader?.id).toBe('get');
    expect(withOtherHeader).toBeUndefined();
    expect(headerOnPost).toBeUndefined();
  });

  it('does not let a wildcard origin match a shorter origin by overlapping prefix and suffix', () => {
    // Act
    const matched = matchCorsRule([rule({ allowedOrigins: ['http://a*a'] })], 'http://a', 'POST');

    // Assess
    expect(matched).toBeUndefined();
  });
});

describe('corsHeaders', () => {
  it('echoes the origin with credentials allowed, or answers * for a rule open to every origin', () => {
    // Act
    const named = corsHeaders(
      rule({ exposeHeaders: ['ETag'], maxAgeSeconds: 600 }),
      'http://127.0.0.1:5173',
      ['x-amz-date'],
    );
    const open = corsHeaders(rule({ allowedOrigins: ['*'] }), 'http://127.0.0.1:5173');

    // Assess
    expect(named).toEqual({
      'access-control-allow-origin': 'http://127.0.0.1:5173',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'x-amz-date',
      'access-control-expose-headers': 'ETag',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true',
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
    expect(open['access-control-allow-origin']).toBe('*');
    expect(open).not.toHaveProperty('access-control-allow-credentials');
  });
});
