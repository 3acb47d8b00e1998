import { InMemoryMetadataIndex } from '../../support/in-memory-metadata-index';
import { describeMetadataIndexContract } from '../../support/metadata-index-contract';

describeMetadataIndexContract('InMemoryMetadataIndex', () => {
  const index = new InMemoryMetadataIndex();
  return {
    index,
    stored: async (documentId) => index.items.get(documentId),
    addCost: async (documentId, cost) => {
      const item = index.items.get(documentId);
      if (item) index.items.set(documentId, { ...item, cost });
    },
  };
});
