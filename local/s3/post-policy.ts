import { createHmac, timingSafeEqual } from 'node:crypto';
import { expandFilename, formField, type PostObjectForm, parsePostObjectForm } from './post-object-form';
import { S3ServiceError } from './s3-error';

/**
 * S3's checks of a browser POST upload (POST Object with a SigV4-signed POST policy), in the order S3
 * makes them: the form, the signature over the policy text as received, the policy document, its
 * expiration, every condition, the fields no condition covers, and the file's size. Messages and
 * codes are S3's as observed on the wire (AWS documents few of them); see docs/decisions.md.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 */

/** A key pair the local S3 knows; a POST signed with any other key is refused. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface PostUploadContext {
  /** The bucket the form was posted to (from the URL, never from a form field). */
  readonly bucket: string;
  /** The local S3's region: a credential scoped to another region is refused, as S3 refuses it. */
  readonly region: string;
  readonly credentials: readonly LocalCredentials[];
  readonly now: Date;
}

/** What an accepted upload stores. */
export interface AcceptedPostUpload {
  /** The object key: the `key` field with `${filename}` expanded. */
  readonly key: string;
  /** The access key the policy was signed with. */
  readonly accessKeyId: string;
}

/** S3 refuses forms whose fields and boundaries before the file exceed 20 KB. */
export const MAX_POST_FIELDS_BYTES = 20_480;

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** Fields the coverage rule exempts (besides `x-ignore-*`): the signature, the policy and the file. */
const UNCOVERED_FIELDS = new Set(['x-amz-signature', 'policy', 'file']);

/** The SigV4 fields S3 requires once any of them is present, in the order it names a missing one. */
const SIGV4_FIELDS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature', 'Policy'];

const SIGV2_FIELDS = ['AWSAccessKeyId', 'Signature'];

const accessDenied = (message: string) => new S3ServiceError('AccessDenied', message, 403);

const invalidPolicy = (message: string) =>
  new S3ServiceError('InvalidPolicyDocument', `Invalid Policy: ${message}`);

const missingField = (name: string) =>
  new S3ServiceError(
    'InvalidArgument',
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    400,
    { name, value: '' },
  );

const invalidCredential = (message: string, credential: string, details: Record<string, string> = {}) =>
  new S3ServiceError(
    'InvalidArgument',
    message,
    400,
    { name: 'X-Amz-Credential', value: credential },
    details,
  );

/** A condition as S3 prints it in a refusal: a JSON array with `", "` between items. */
const conditionText = (items: readonly unknown[]): string =>
  `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;

const conditionFailed = (items: readonly unknown[]) =>
  accessDenied(`Invalid according to Policy: Policy Condition failed: ${conditionText(items)}`);

type Condition =
  | { readonly kind: 'match'; readonly operator: 'eq' | 'starts-with'; readonly items: readonly string[] }
  | { readonly kind: 'length'; readonly items: readonly unknown[] };

interface PostPolicy {
  readonly expiration: Date;
  readonly conditions: readonly Condition[];
}

const EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const parseCondition = (condition: unknown): Condition => {
  if (isRecord(condition)) {
    const entries = Object.entries(condition);
    const [entry] = entries;
    if (entries.length !== 1 || !entry)
      throw invalidPolicy(
        'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
      );
    const [name, value] = entry;
    if (typeof value !== 'string') throw invalidPolicy('Invalid Simple-Condition: value must be a string.');
    // S3 reports a simple condition as the `eq` it stands for.
    return { kind: 'match', operator: 'eq', items: ['eq', `$${name}`, value] };
  }
  if (!Array.isArray(condition)) throw invalidPolicy('Invalid condition test: must be a List or Object.');
  const [operation] = condition;
  if (operation === undefined) throw invalidPolicy('Invalid Condition: missing operation identifier.');
  if (typeof operation !== 'string') throw invalidPolicy('Invalid JSON.');
  const name = operation.toLowerCase();
  if (name !== 'eq' && name !== 'starts-with' && name !== 'content-length-range')
    throw invalidPolicy(`Invalid Condition: unknown operation '${operation}'.`);
  if (condition.length !== 3) throw invalidPolicy(`Invalid ${operation}: wrong number of arguments.`);
  if (name === 'content-length-range') {
    // Whole numbers or strings (checked when evaluated, as S3 does); a fraction is not valid JSON to S3.
    if (condition.some((item) => typeof item === 'number' && !Number.isSafeInteger(item)))
      throw invalidPolicy('Invalid JSON.');
    if (condition.slice(1).some((item) => typeof item !== 'number' && typeof item !== 'string'))
      throw invalidPolicy('Invalid JSON.');
    return { kind: 'length', items: condition };
  }
  if (condition.some((item) => typeof item !== 'string')) throw invalidPolicy('Invalid JSON.');
  return { kind: 'match', operator: name, items: condition as string[] };
};

/** Decodes and validates the policy document (`InvalidPolicyDocument` when it is not one). */
const parsePolicy = (encoded: string): PostPolicy => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0)
    throw invalidPolicy('invalid Base64 encoding.');
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64')));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (!isRecord(document)) throw invalidPolicy('Invalid JSON.');
  const unexpected = Object.keys(document).find((name) => name !== 'expiration' && name !== 'conditions');
  if (unexpected !== undefined) throw invalidPolicy(`Unexpected: '${unexpected.toLowerCase()}'`);
  const { expiration, conditions } = document;
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  if (conditions === undefined) throw invalidPolicy('Policy missing conditions.');
  const expires =
    typeof expiration === 'string' && EXPIRATION.test(expiration) ? new Date(expiration) : undefined;
  if (!expires || Number.isNaN(expires.getTime()))
    throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (!Array.isArray(conditions)) throw invalidPolicy(`Invalid 'conditions' value: must be a List.`);
  return { expiration: expires, conditions: conditions.map(parseCondition) };
};

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The SigV4 POST signature: hex HMAC-SHA256 of the base64 policy text under the scope's signing key. */
export const postPolicySignature = (
  secretAccessKey: string,
  scope: { readonly date: string; readonly region: string; readonly service: string },
  policy: string,
): string => {
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, scope.date), scope.region), scope.service),
    'aws4_request',
  );
  return hmac(signingKey, policy).toString('hex');
};

const sameSignature = (expected: string, provided: string): boolean => {
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Checks the SigV4 fields and signature; returns the access key the policy was signed with. */
const verifySignature = (form: PostObjectForm, policy: string, context: PostUploadContext): string => {
  const field = (name: string) => formField(form, name);
  const algorithm = field('X-Amz-Algorithm') ?? '';
  if (algorithm !== ALGORITHM)
    throw new S3ServiceError('InvalidArgument', `X-Amz-Algorithm only supports "${ALGORITHM}"`, 400, {
      name: 'X-Amz-Algorithm',
      value: algorithm,
    });
  const credential = field('X-Amz-Credential') ?? '';
  const parts = credential.split('/');
  if (parts.length !== 5)
    throw invalidCredential(
      'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      credential,
    );
  const [accessKeyId = '', date = '', region = '', service = '', terminal = ''] = parts;
  if (accessKeyId === '')
    throw invalidCredential('a non-empty Access Key (AKID) must be provided in the credential.', credential);
  if (!/^\d{8}$/.test(date))
    throw invalidCredential(
      `incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`,
      credential,
    );
  if (region !== context.region)
    throw invalidCredential(`the region '${region}' is wrong; expecting '${context.region}'`, credential, {
      Region: context.region,
    });
  if (service !== 's3')
    throw invalidCredential(`incorrect service "${service}". This endpoint belongs to "s3".`, credential);
  if (terminal !== 'aws4_request')
    throw invalidCredential(
      `incorrect terminal "${terminal}". This endpoint uses "aws4_request".`,
      credential,
    );
  const amzDate = field('X-Amz-Date') ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate))
    throw new S3ServiceError('InvalidArgument', 'X-Amz-Date must be formated via ISO8601 Long format', 400, {
      name: 'X-Amz-Date',
      value: amzDate,
    });
  const known = context.credentials.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!known)
    throw new S3ServiceError(
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      403,
      undefined,
      { AWSAccessKeyId: accessKeyId },
    );
  const provided = field('X-Amz-Signature') ?? '';
  const expected = postPolicySignature(known.secretAccessKey, { date, region, service }, policy);
  if (!sameSignature(expected, provided))
    throw new S3ServiceError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      403,
      undefined,
      {
        AWSAccessKeyId: accessKeyId,
        StringToSign: policy,
        SignatureProvided: provided,
        StringToSignBytes: [...Buffer.from(policy)]
          .map((byte) => byte.toString(16).padStart(2, '0'))
          .join(' '),
      },
    );
  return accessKeyId;
};

/** The value a condition's `$name` refers to: the bucket posted to, or a field with `${filename}` expanded. */
const conditionValue = (form: PostObjectForm, name: string, bucket: string): string | undefined => {
  if (name === 'bucket') return bucket;
  const value = formField(form, name);
  return value === undefined ? undefined : expandFilename(value, form);
};

const matches = (
  operator: 'eq' | 'starts-with',
  field: string,
  actual: string,
  expected: string,
): boolean => {
  if (operator === 'eq') return actual === expected;
  // S3: a Content-Type with commas is a list, each of whose values must meet the condition.
  if (field === 'content-type') return actual.split(',').every((value) => value.startsWith(expected));
  return actual.startsWith(expected);
};

const wholeNumber = (value: unknown): number | undefined => {
  if (typeof value === 'number') return value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
};

/** Evaluates the conditions, the coverage rule and the size; throws S3's refusal for the first failure. */
const checkConditions = (form: PostObjectForm, policy: PostPolicy, bucket: string): void => {
  const covered = new Set<string>();
  const ranges: { min: number; max: number }[] = [];
  for (const condition of policy.conditions) {
    if (condition.kind === 'length') {
      const [, low, high] = condition.items;
      const min = wholeNumber(low);
      const max = wholeNumber(high);
      if (min === undefined || max === undefined) throw conditionFailed(condition.items);
      ranges.push({ min, max });
      continue;
    }
    const [, variable = '', expected = ''] = condition.items;
    if (!variable.startsWith('$')) throw conditionFailed(condition.items);
    const field = variable.slice(1).toLowerCase();
    covered.add(field);
    const actual = conditionValue(form, field, bucket);
    if (actual === undefined || !matches(condition.operator, field, actual, expected))
      throw conditionFailed(condition.items);
  }
  const extra: string[] = [];
  const reported = new Set<string>();
  for (const { name } of form.fields) {
    const lower = name.toLowerCase();
    if (covered.has(lower) || reported.has(lower)) continue;
    if (UNCOVERED_FIELDS.has(lower) || lower.startsWith('x-ignore-')) continue;
    reported.add(lower);
    extra.push(name);
  }
  if (extra.length > 0)
    throw accessDenied(`Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
  const size = form.file?.size ?? 0;
  for (const { min, max } of ranges) {
    if (size > max)
      throw new S3ServiceError(
        'EntityTooLarge',
        'Your proposed upload exceeds the maximum allowed size',
        400,
        undefined,
        { ProposedSize: String(size), MaxSizeAllowed: String(max) },
      );
    if (size < min)
      throw new S3ServiceError(
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed size',
        400,
        undefined,
        { ProposedSize: String(size), MinSizeAllowed: String(min) },
      );
  }
};

/**
 * Checks a browser POST upload to a private bucket as S3 does, before anything is stored; throws the
 * `S3ServiceError` S3 answers with. A form with none of the signature fields is anonymous, which a
 * private bucket refuses (`AccessDenied`); Signature Version 2 forms are refused: only SigV4 is checked.
 */
export const authorizePostUpload = (
  body: Buffer,
  contentType: string,
  context: PostUploadContext,
): AcceptedPostUpload => {
  const form = parsePostObjectForm(body, contentType);
  if (!form)
    throw new S3ServiceError(
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  if (form.bytesBeforeFile > MAX_POST_FIELDS_BYTES)
    throw new S3ServiceError(
      'MaxPostPreDataLengthExceeded',
      'Your POST request fields preceeding the upload file was too large.',
      400,
      undefined,
      { MaxPostPreDataLengthBytes: String(MAX_POST_FIELDS_BYTES) },
    );
  if (form.file?.name.toLowerCase() !== 'file')
    throw new S3ServiceError('InvalidArgument', 'POST requires exactly one file upload per request.', 400, {
      name: 'file',
      value: '0',
    });
  const keys = form.fields.filter((field) => field.name.toLowerCase() === 'key');
  if (keys.length === 0) throw missingField('key');
  // S3 joins repeated fields with commas; the store behind keeps one of them, so a repeated key is refused.
  if (keys.length > 1)
    throw new S3ServiceError(
      'InvalidArgument',
      "Bucket POST must contain exactly one field named 'key'.",
      400,
      {
        name: 'key',
        value: keys.map((key) => key.value).join(','),
      },
    );
  const signed = SIGV4_FIELDS.slice(0, 4).some((name) => formField(form, name) !== undefined);
  if (!signed) {
    if (SIGV2_FIELDS.some((name) => formField(form, name) !== undefined))
      throw new S3ServiceError(
        'InvalidRequest',
        `The local S3 checks Signature Version 4 POST uploads only (${ALGORITHM}).`,
      );
    throw accessDenied('Access Denied');
  }
  const missing = SIGV4_FIELDS.find((name) => formField(form, name) === undefined);
  if (missing !== undefined) throw missingField(missing);
  const encodedPolicy = formField(form, 'Policy') ?? '';
  const accessKeyId = verifySignature(form, encodedPolicy, context);
  const policy = parsePolicy(encodedPolicy);
  if (context.now.getTime() >= policy.expiration.getTime())
    throw accessDenied('Invalid according to Policy: Policy expired.');
  checkConditions(form, policy, context.bucket);
  return { key: expandFilename(keys[0]?.value ?? '', form), accessKeyId };
};
