import { boolean, choice, number, secret, text } from './kinds';

export const STATE_SETTINGS = {
  storage: secret({
    name: 'AzureWebJobsStorage',
    need: 'conditional',
    doc: 'Storage connection string (UseDevelopmentStorage=true for Azurite). Identity-based: AzureWebJobsStorage__accountName or __tableServiceUri/__queueServiceUri, with __credential=managedidentity and __clientId.',
    expected: 'a storage connection string, or UseDevelopmentStorage=true for Azurite',
    check: (v) => /^UseDevelopmentStorage=true/i.test(v) || /AccountName=|BlobEndpoint=|QueueEndpoint=/i.test(v),
  }),
  store: choice({
    name: 'STATE_STORE',
    choices: ['memory', 'table'],
    defaultNote: 'table when storage is configured, else memory',
    doc: 'memory: one local process only; table: Azure Table Storage, any number of instances.',
  }),
  tablePrefix: text({
    name: 'STATE_TABLE_PREFIX',
    default: 'genie',
    doc: 'Prefix of the state tables (sessions, dedup, jobs).',
    expected: 'letters and digits, starting with a letter',
    check: (v) => /^[A-Za-z][A-Za-z0-9]{0,50}$/.test(v),
  }),
  sessionIdleMinutes: number({
    name: 'SESSION_IDLE_MINUTES',
    default: 240,
    min: 1,
    max: 60 * 24 * 30,
    integer: true,
    doc: 'A chat idle this long starts a new Genie conversation.',
  }),
  memoryMaxEntries: number({
    name: 'SESSION_MEMORY_MAX_ENTRIES',
    default: 10_000,
    min: 10,
    max: 1_000_000,
    integer: true,
    doc: 'Hard cap on records per kind in the memory store (least recently used dropped first).',
  }),
} as const;

export const ANSWER_SETTINGS = {
  dispatch: choice({
    name: 'ANSWER_DISPATCH',
    choices: ['queue', 'inline'],
    default: 'queue',
    defaultNote: 'queue (inline under npm run dev)',
    doc: 'queue: the webhook enqueues and the answer function replies; inline: the same worker runs in-process.',
  }),
  statusMessageDelaySeconds: number({
    name: 'STATUS_MESSAGE_DELAY_SECONDS',
    default: 4,
    min: 0,
    max: 600,
    doc: 'After this long without an answer, post one status line that the answer later replaces (0 turns it off).',
  }),
  streamProgress: boolean({
    name: 'STREAM_PROGRESS',
    default: true,
    doc: "Personal chats: show Genie's progress as Teams streams it (informative updates, then the answer as the stream's final message); false keeps the status line there too. Group chats and channels always use the status line.",
  }),
} as const;
