import { costPer1000Documents, type DocumentCost } from '../lambdas/shared/documents/document-cost';

/**
 * The modelled AWS cost per 1,000 documents of the sample mix: the mean of what record-cost priced
 * for each sample's runs (decision 42), or undefined when no sample was priced in time.
 */
export const modelledCostPer1000Documents = (
  costs: readonly (Pick<DocumentCost, 'totalUsd'> | undefined | null)[],
): number | undefined => costPer1000Documents(costs);
