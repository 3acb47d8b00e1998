import { describe, expect, it } from 'vitest';
import {
  matchingRules,
  type NotificationConfiguration,
  notificationConfigurationXml,
  parseNotificationConfiguration,
} from '../../../../local/s3/notification-configuration';
import { S3ServiceError } from '../../../../local/s3/s3-error';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:ingest';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:uploads';

/** A rule as the SDK puts it on the wire (`Queue`/`Topic`, flattened `Event`s and `FilterRule`s). */
const rule = (
  options: {
    id?: string;
    kind?: 'Queue' | 'Topic';
    events?: string[];
    prefix?: string;
    suffix?: string;
  } = {},
) => {
  const kind = options.kind ?? 'Queue';
  const filterRules = [
    options.prefix === undefined
      ? ''
      : `<FilterRule><Name>prefix</Name><Value>${options.prefix}</Value></FilterRule>`,
    options.suffix === undefined
      ? ''
      : `<FilterRule><Name>Suffix</Name><Value>${options.suffix}</Value></FilterRule>`,
  ].join('');
  return [
    `<${kind}Configuration>`,
    options.id === undefined ? '' : `<Id>${options.id}</Id>`,
    `<${kind}>${kind === 'Queue' ? QUEUE : TOPIC}</${kind}>`,
    ...(options.events ?? ['s3:ObjectCreated:*']).map((event) => `<Event>${event}</Event>`),
    filterRules ? `<Filter><S3Key>${filterRules}</S3Key></Filter>` : '',
    `</${kind}Configuration>`,
  ].join('');
};

const document = (...rules: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules.join('')}</NotificationConfiguration>`;

const errorOf = (body: string): { code: string; message: string; status: number } | undefined => {
  try {
    parseNotificationConfiguration(body);
    return undefined;
  } catch (error) {
    if (!(error instanceof S3ServiceError)) throw error;
    return { code: error.code, message: error.message, status: error.status };
  }
};

describe('parseNotificationConfiguration', () => {
  it('reads queue and topic rules with their events and key filters', () => {
    // Prepare
    const body = document(
      rule({ id: 'incoming', prefix: 'incoming/', suffix: '.pdf' }),
      rule({ id: 'removed', kind: 'Topic', events: ['s3:ObjectRemoved:*', 's3:ObjectRemoved:*'] }),
    );

    // Act
    const configuration = parseNotificationConfiguration(body);

    // Assess
    expect(configuration).toEqual({
      rules: [
        {
          id: 'incoming',
          destination: { kind: 'queue', arn: QUEUE },
          events: ['s3:ObjectCreated:*'],
          filter: { prefix: 'incoming/', suffix: '.pdf' },
        },
        {
          id: 'removed',
          destination: { kind: 'topic', arn: TOPIC },
          events: ['s3:ObjectRemoved:*'],
          filter: {},
        },
      ],
    });
  });

  it('generates an id when the rule has none, and an empty document turns notifications off', () => {
    // Act
    const generated = parseNotificationConfiguration(document(rule()));
    const empty = parseNotificationConfiguration(document());

    // Assess
    expect(generated.rules[0]?.id).toMatch(/^[A-Za-z0-9]{20,}$/);
    expect(empty).toEqual({ rules: [] });
  });

  it.each([
    [document(rule({ events: ['s3:ObjectCreated:Bogus'] })), 'InvalidArgument', /event is not supported/],
    [document(rule({ events: [] })), 'MalformedXML', /not well-formed/],
    [
      document(rule().replace('<Filter>', '').replace('</Filter>', '')).replace(
        '</QueueConfiguration>',
        '<Filter><S3Key><FilterRule><Name>middle</Name><Value>x</Value></FilterRule></S3Key></Filter></QueueConfiguration>',
      ),
      'InvalidArgument',
      /prefix or suffix/,
    ],
    [
      document(rule()).replace(
        '</QueueConfiguration>',
        '<Filter><S3Key><FilterRule><Name>prefix</Name><Value>a</Value></FilterRule><FilterRule><Name>Prefix</Name><Value>b</Value></FilterRule></S3Key></Filter></QueueConfiguration>',
      ),
      'InvalidArgument',
      /more than one prefix/,
    ],
    [
      document(
        rule({ prefix: 'incoming/' }),
        rule({ events: ['s3:ObjectCreated:Put'], prefix: 'incoming/scans/' }),
      ),
      'InvalidArgument',
      /overlap/,
    ],
    [
      document(rule({ id: 'same', prefix: 'a/' }), rule({ id: 'same', prefix: 'b/' })),
      'InvalidArgument',
      /Duplicate/,
    ],
    [document(rule().replace(QUEUE, TOPIC)), 'InvalidArgument', /ARN is not well formed/],
    [
      document(
        '<CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>',
      ),
      'NotImplemented',
      /CloudFunctionConfiguration is not supported/,
    ],
    ['<NotificationConfiguration><QueueConfiguration>', 'MalformedXML', /not well-formed/],
    ['<Other/>', 'MalformedXML', /not well-formed/],
  ])('refuses %s with %s', (body, code, message) => {
    // Act
    const error = errorOf(body);

    // Assess
    expect(error?.code).toBe(code);
    expect(error?.message).toMatch(message);
  });

  it('accepts rules that cannot fire for the same event', () => {
    // Prepare
    const body = document(
      rule({ id: 'pdf', prefix: 'incoming/', suffix: '.pdf' }),
      rule({ id: 'png', prefix: 'incoming/', suffix: '.png' }),
      rule({ id: 'removed', events: ['s3:ObjectRemoved:Delete'], prefix: 'incoming/' }),
      rule({ id: 'other', prefix: 'archive/' }),
    );

    // Act
    const configuration = parseNotificationConfiguration(body);

    // Assess
    expect(configuration.rules.map((r) => r.id)).toEqual(['pdf', 'png', 'removed', 'other']);
  });
});

describe('notificationConfigurationXml', () => {
  it('writes what parses back to the same configuration, topics first, filter names capitalized', () => {
    // Prepare
    const configuration: NotificationConfiguration = {
      rules: [
        {
          id: 'q & a',
          destination: { kind: 'queue', arn: QUEUE },
          events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:Copy'],
          filter: { prefix: 'in <coming>/' },
        },
        { id: 't', destination: { kind: 'topic', arn: TOPIC }, events: ['s3:ObjectRemoved:*'], filter: {} },
      ],
    };

    // Act
    const xml = notificationConfigurationXml(configuration);

    // Assess
    expect(xml.indexOf('<TopicConfiguration>')).toBeLessThan(xml.indexOf('<QueueConfiguration>'));
    expect(xml).toContain('<Name>Prefix</Name>');
    expect(parseNotificationConfiguration(xml).rules).toEqual([
      configuration.rules[1],
      configuration.rules[0],
    ]);
  });
});

describe('matchingRules', () => {
  const configuration = parseNotificationConfiguration(
    document(
      rule({ id: 'created', prefix: 'incoming/' }),
      rule({ id: 'deleted', events: ['s3:ObjectRemoved:Delete'], suffix: '.pdf' }),
    ),
  );

  it.each([
    ['ObjectCreated:Put', 'incoming/a.pdf', ['created']],
    ['ObjectCreated:CompleteMultipartUpload', 'incoming/big.tif', ['created']],
    ['ObjectCreated:Put', 'derived/a.pdf', []],
    ['ObjectRemoved:Delete', 'derived/a.pdf', ['deleted']],
    ['ObjectRemoved:Delete', 'incoming/a.png', []],
  ])('%s of %s fires %o', (eventName, key, ids) => {
    // Act
    const matched = matchingRules(configuration, eventName, key);

    // Assess
    expect(matched.map((r) => r.id)).toEqual(ids);
  });
});
