import { after, before, describe } from 'node:test';

import { TableClient } from '@azure/data-tables';

import { TableRecordStore } from '../../../shared/state';
import { type Azurite, startAzurite } from '../../helpers/azurite';
import { recordStoreContract } from './record-store-contract';

describe('TableRecordStore on Azurite: contract', () => {
  let azurite: Azurite;
  let now = 1_000_000;
  let tables = 0;
  before(async () => {
    azurite = await startAzurite();
  });
  after(() => azurite.stop());

  recordStoreContract({
    store: () => {
      now = 1_000_000;
      const table = TableClient.fromConnectionString(azurite.connectionString, `contract${++tables}`, { allowInsecureConnection: true });
      return Promise.resolve(new TableRecordStore<{ n: number }>(table, () => now));
    },
    advance: (ms) => (now += ms),
    now: () => now,
  });
});
