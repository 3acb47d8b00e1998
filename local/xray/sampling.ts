import { invalidRequest } from './api-errors';
import { type ApiInput, timestamp } from './api-input';

/** The one sampling rule of the local X-Ray: every request is traced. */
export const DEFAULT_RULE_NAME = 'Default';

/** How often, in seconds, an SDK should report its sampling statistics (X-Ray's default). */
const TARGET_INTERVAL_SECONDS = 10;

/**
 * Centralized sampling as the X-Ray SDKs poll it (`POST /GetSamplingRules`, `POST /SamplingTargets`,
 * through the daemon's TCP address or the API): a single default rule that samples everything, so a
 * local trace is never missing because of sampling. In Lambda the SDK does not poll: Lambda decides.
 */
export class SamplingRules {
  readonly #ruleArn: string;
  readonly #modifiedAt: number;

  constructor(options: { region: string; accountId: string; modifiedAt: number }) {
    this.#ruleArn = `arn:aws:xray:${options.region}:${options.accountId}:sampling-rule/${DEFAULT_RULE_NAME}`;
    this.#modifiedAt = options.modifiedAt;
  }

  getSamplingRules(): Record<string, unknown> {
    return {
      SamplingRuleRecords: [
        {
          SamplingRule: {
            RuleName: DEFAULT_RULE_NAME,
            RuleARN: this.#ruleArn,
            ResourceARN: '*',
            Priority: 10000,
            FixedRate: 1,
            ReservoirSize: 1,
            ServiceName: '*',
            ServiceType: '*',
            Host: '*',
            HTTPMethod: '*',
            URLPath: '*',
            Version: 1,
            Attributes: {},
          },
          CreatedAt: this.#modifiedAt,
          ModifiedAt: this.#modifiedAt,
        },
      ],
    };
  }

  getSamplingTargets(input: ApiInput, now: number): Record<string, unknown> {
    const documents = input.SamplingStatisticsDocuments;
    if (!Array.isArray(documents)) throw invalidRequest('SamplingStatisticsDocuments is required');
    const targets: Record<string, unknown>[] = [];
    const unprocessed: Record<string, unknown>[] = [];
    for (const document of documents as ApiInput[]) {
      const ruleName = typeof document?.RuleName === 'string' ? document.RuleName : '';
      timestamp(document ?? {}, 'Timestamp');
      if (ruleName === DEFAULT_RULE_NAME) {
        targets.push({
          RuleName: ruleName,
          FixedRate: 1,
          ReservoirQuota: 1,
          ReservoirQuotaTTL: now + TARGET_INTERVAL_SECONDS * 3,
          Interval: TARGET_INTERVAL_SECONDS,
        });
      } else {
        unprocessed.push({
          RuleName: ruleName,
          ErrorCode: '400',
          Message: `no sampling rule named "${ruleName}"`,
        });
      }
    }
    return {
      SamplingTargetDocuments: targets,
      LastRuleModification: this.#modifiedAt,
      UnprocessedStatistics: unprocessed,
    };
  }
}
