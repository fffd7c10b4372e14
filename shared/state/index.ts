export { AnswerIndex, type AnswerValue } from './answers';
export { ActivityDeduplicator, DEDUP_TTL_MS, type DedupValue } from './dedup';
export {
  type DispatchOptions,
  InlineDispatcher,
  type InlineDispatcherOptions,
  isQuestionMessage,
  type QuestionDispatcher,
  type QuestionMessage,
  StorageQueueDispatcher,
} from './dispatch';
export {
  heldByOtherForMs,
  isFinished,
  isReplyHeldByOther,
  JOB_FINISHED_TTL_MS,
  type JobState,
  JobStore,
  type JobStoreOptions,
  type JobValue,
  type ProgressStreamRecord,
  type ReplyClaim,
  type StoredReference,
  type WorkerLease,
} from './jobs';
export { ChatLanes, LaneContendedError, type LaneValue, type Turn } from './lanes';
export { MemoryRecordStore } from './memory-store';
export { PacerContendedError, type PacerOptions, type PaceValue, QuestionPacer, type Slot, SLOT_TOLERANCE_MS } from './pacer';
export type { RecordStore, Versioned } from './record-store';
export { type AskedIn, type ConversationLease, type SessionOptions, SessionService, type SessionValue } from './sessions';
export {
  type BotState,
  createBotState,
  createMemoryStores,
  createQuestionQueue,
  createRecordStores,
  createTableStores,
  type RecordStores,
} from './stores';
export { sweepExpired, type SweepOptions, type SweepResult } from './sweep';
export { TableRecordStore } from './table-store';
