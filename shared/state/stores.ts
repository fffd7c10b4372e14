import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';

import type { AppConfig, StorageConfig } from '../config';
import { type Clock, systemClock } from '../runtime';
import { AnswerIndex, type AnswerValue } from './answers';
import { ActivityDeduplicator, type DedupValue } from './dedup';
import { JOB_OPEN_TTL_MS, JobStore, type JobValue } from './jobs';
import { ChatLanes, type LaneValue } from './lanes';
import { MemoryRecordStore } from './memory-store';
import { type PaceValue, QuestionPacer } from './pacer';
import type { RecordStore } from './record-store';
import { SessionService, type SessionValue } from './sessions';
import { TableRecordStore } from './table-store';

/** The three kinds of record, each behind the same contract. */
export interface RecordStores {
  readonly kind: 'memory' | 'table';
  readonly sessions: RecordStore<SessionValue>;
  readonly dedup: RecordStore<DedupValue>;
  readonly jobs: RecordStore<JobValue>;
}

/** Everything stateful the bot needs, built on one set of stores. */
export interface BotState {
  readonly stores: RecordStores;
  readonly sessions: SessionService;
  readonly dedup: ActivityDeduplicator;
  readonly jobs: JobStore;
  /** (chat, Teams message id of an answer) → its job, for Teams' own feedback buttons. */
  readonly answers: AnswerIndex;
  /** Question POSTs to Genie at the workspace's pace, across instances. */
  readonly pacer: QuestionPacer;
}

/**
 * Storage calls on the webhook path must give up well inside Bot Service's 15 s (then the webhook
 * answers 503 and the channel redelivers): one retry, a short pause, and no try longer than this.
 * The SDK defaults (3-4 tries, 1-4 s exponential pauses, no per-try limit) could hold it past 30 s.
 */
export const STORAGE_CALL_LIMITS = { tries: 2, tryTimeoutMs: 4_000, retryDelayMs: 500 } as const;

/** Ends a try that got no answer in time (the table SDK has no per-try timeout of its own). */
const tryTimeoutPolicy: NonNullable<TableServiceClientOptions['additionalPolicies']>[number] = {
  position: 'perRetry',
  policy: {
    name: 'storageTryTimeout',
    sendRequest: (request, next) => {
      request.timeout = request.timeout || STORAGE_CALL_LIMITS.tryTimeoutMs;
      return next(request);
    },
  },
};

const TABLE_CLIENT_OPTIONS: TableServiceClientOptions = {
  retryOptions: {
    maxRetries: STORAGE_CALL_LIMITS.tries - 1,
    retryDelayInMs: STORAGE_CALL_LIMITS.retryDelayMs,
    maxRetryDelayInMs: STORAGE_CALL_LIMITS.retryDelayMs,
  },
  additionalPolicies: [tryTimeoutPolicy],
};

const QUEUE_CLIENT_OPTIONS = {
  retryOptions: {
    maxTries: STORAGE_CALL_LIMITS.tries,
    tryTimeoutInMs: STORAGE_CALL_LIMITS.tryTimeoutMs,
    retryDelayInMs: STORAGE_CALL_LIMITS.retryDelayMs,
    maxRetryDelayInMs: STORAGE_CALL_LIMITS.retryDelayMs,
  },
};

function isLoopbackStorage(storage: StorageConfig): boolean {
  return storage.kind === 'connectionString' && /UseDevelopmentStorage=true|127\.0\.0\.1|localhost/i.test(storage.connectionString);
}

/** `@azure/identity` credential for identity-based storage settings (`AzureWebJobsStorage__…`). */
function storageCredential(storage: Extract<StorageConfig, { kind: 'identity' }>): ManagedIdentityCredential | DefaultAzureCredential {
  return storage.clientId ? new ManagedIdentityCredential({ clientId: storage.clientId }) : new DefaultAzureCredential();
}

/** Azure Table stores in the storage account of `AzureWebJobsStorage`, one table per kind. */
export function createTableStores(storage: StorageConfig, prefix: string, clock: Clock = systemClock): RecordStores {
  const insecure = isLoopbackStorage(storage);
  const credential = storage.kind === 'identity' ? storageCredential(storage) : undefined;
  const client = (name: string): TableClient =>
    storage.kind === 'connectionString'
      ? TableClient.fromConnectionString(storage.connectionString, name, { ...TABLE_CLIENT_OPTIONS, allowInsecureConnection: insecure })
      : new TableClient(storage.tableServiceUri, name, credential!, TABLE_CLIENT_OPTIONS);
  const now = () => clock.now();
  return {
    kind: 'table',
    sessions: new TableRecordStore<SessionValue>(client(`${prefix}sessions`), now),
    dedup: new TableRecordStore<DedupValue>(client(`${prefix}dedup`), now),
    jobs: new TableRecordStore<JobValue>(client(`${prefix}jobs`), now),
  };
}

export function createMemoryStores(maxEntries: number, clock: Clock = systemClock): RecordStores {
  return {
    kind: 'memory',
    sessions: new MemoryRecordStore<SessionValue>(maxEntries, clock),
    dedup: new MemoryRecordStore<DedupValue>(maxEntries, clock),
    jobs: new MemoryRecordStore<JobValue>(maxEntries, clock),
  };
}

export function createBotState(
  stores: RecordStores,
  config: Pick<AppConfig, 'databricks' | 'state' | 'genie'>,
  clock: Clock = systemClock,
): BotState {
  // Lanes, the pace and the answer index share the de-dup table (records shaped { at }): same conditional writes, same sweep.
  const lanes = new ChatLanes(stores.dedup as RecordStore<LaneValue>, JOB_OPEN_TTL_MS, clock);
  return {
    stores,
    sessions: new SessionService(stores.sessions, {
      spaceId: config.databricks.spaceId,
      spaceIds: config.databricks.spaces.map((s) => s.spaceId),
      idleMs: config.state.sessionIdleMs,
      clock,
    }),
    dedup: new ActivityDeduplicator(stores.dedup, clock),
    jobs: new JobStore(stores.jobs, { clock, lanes }),
    answers: new AnswerIndex(stores.dedup as RecordStore<AnswerValue>, clock),
    pacer: new QuestionPacer(stores.dedup as RecordStore<PaceValue>, { questionsPerMinute: config.genie.questionsPerMinute, clock }),
  };
}

/** The stores the configuration asks for: Azure Table with storage configured, else memory. */
export function createRecordStores(config: AppConfig, clock: Clock = systemClock): RecordStores {
  if (config.state.store === 'table' && config.storage) return createTableStores(config.storage, config.state.tablePrefix, clock);
  return createMemoryStores(config.state.memoryMaxEntries, clock);
}

/** The questions queue client, for the dispatcher (webhook side). */
export function createQuestionQueue(storage: StorageConfig, queueName: string): QueueClient {
  if (storage.kind === 'connectionString') return new QueueClient(storage.connectionString, queueName, QUEUE_CLIENT_OPTIONS);
  return new QueueClient(`${storage.queueServiceUri.replace(/\/$/, '')}/${queueName}`, storageCredential(storage), QUEUE_CLIENT_OPTIONS);
}
