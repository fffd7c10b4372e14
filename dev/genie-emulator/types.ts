/** Public types of the Genie emulator; `index.ts` re-exports all of them. */

import type { GenieEndpoint } from '../../shared/genie';
import type { EmulatorUser } from './principals';

/**
 * The Genie endpoints, named as the client names them (one vocabulary for stats and metrics), and
 * the one Genie has that the bot does not call.
 */
export type EndpointName = GenieEndpoint | 'list-conversations';

export const ENDPOINT_NAMES: readonly EndpointName[] = [
  'start-conversation',
  'create-message',
  'get-message',
  'query-result',
  'execute-query',
  'generate-download',
  'get-download',
  'feedback',
  'delete-conversation',
  'list-conversations',
  'get-space',
  'token',
];

export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** @default 3600 */
  readonly expiresInSeconds?: number;
}

export interface GenieEmulatorOptions {
  /** 0 picks a free port; the server always binds 127.0.0.1. @default 0 */
  readonly port?: number;
  /** The first space served (the one a single-space bot asks). @default DEMO_SPACE_ID */
  readonly spaceId?: string;
  /**
   * Further spaces, each with its own title, description and demo data; scripts apply to every space.
   * @default with demo: the demo operations space (DEMO_OPS_SPACE_ID); without: none
   */
  readonly moreSpaces?: readonly EmulatedSpace[];
  /** Accepted static bearer tokens (PAT-like). @default [DEFAULT_EMULATOR_TOKEN] */
  readonly tokens?: string[];
  /** Clients of POST /oidc/v1/token (client credentials); issued tokens work as bearer tokens until they expire. @default [] */
  readonly oauthClients?: OAuthClient[];
  /** People known by their own tokens (the bot's GENIE_IDENTITY=user), with their row filters. @default [] */
  readonly users?: readonly EmulatorUser[];
  /** Multiplies every scripted status latency (0.1 = ten times faster); fault stalls are not scaled. @default 1 */
  readonly timeScale?: number;
  /** Loads the demo sales data set and its scripted questions. @default true */
  readonly demo?: boolean;
  /** Gzips responses of 1 KB or more when the request's Accept-Encoding allows it. @default true */
  readonly gzip?: boolean;
  /** Workspace limit on question POSTs (start-conversation, create-message) per sliding minute; off when absent. */
  readonly rateLimitPerMinute?: number;
  /** The emulator's clock in ms, for status progression, rate limit and token expiry. @default Date.now */
  readonly now?: () => number;
  /** How long a full-result download's presigned link works, on the emulator clock (not scaled). @default 900000 (15 min) */
  readonly downloadLinkTtlMs?: number;
  /** Rows per file of a full-result download; more rows make more chunks (links). @default 100000 */
  readonly downloadChunkRows?: number;
}

/** A space the emulator serves besides the first. */
export interface EmulatedSpace {
  readonly spaceId: string;
  readonly title: string;
  readonly description: string;
  /** Its demo questions and answers (with `demo` on): `ops`, the operations data set. @default none */
  readonly demo?: 'ops';
}

export interface ScriptedStep {
  readonly status: string;
  /** When the status becomes visible, in ms after the message was created (multiplied by timeScale). */
  readonly afterMs: number;
}

export interface ScriptedQuery {
  readonly title: string;
  readonly description?: string;
  readonly sql: string;
  readonly result: TableSpec;
  /** Genie's reasoning as the API gives it on the query attachment (`thoughts[]`), in order. */
  readonly thoughts?: readonly ScriptedThought[];
  /** How a full-result download of this query behaves. @default { pendingMs: 1000 } */
  readonly download?: ScriptedDownload;
}

export interface ScriptedDownload {
  /** PENDING (then RUNNING for the second half) this long before SUCCEEDED, multiplied by timeScale. @default 1000 */
  readonly pendingMs?: number;
  /** The download ends FAILED with this error instead (after pendingMs). */
  readonly error?: { readonly type: string; readonly message: string };
}

export interface ScriptedThought {
  /** THOUGHT_TYPE_DESCRIPTION, _UNDERSTANDING, _DATA_SOURCING, _INSTRUCTIONS or _STEPS. */
  readonly type: string;
  /** Markdown. */
  readonly content: string;
}

export interface ScriptedAnswer {
  /**
   * Status path; the last step is the final status. Non-decreasing afterMs; statuses may go backwards.
   * Default: SUBMITTED@0, FETCHING_METADATA@50, ASKING_AI@100, EXECUTING_QUERY@200 (only when there
   * are queries), then COMPLETED@300 (FAILED@300 when `error` is set).
   */
  readonly steps?: ScriptedStep[];
  /** A text attachment with purpose TEXT_ATTACHMENT_PURPOSE_ANSWER. */
  readonly text?: string;
  /** A text attachment with purpose FOLLOW_UP_QUESTION: Genie asks the user to clarify. */
  readonly clarification?: string;
  /** Several queries = Genie corrected itself; the last one is the answer. */
  readonly queries?: ScriptedQuery[];
  readonly suggestedQuestions?: string[];
  /** With a final FAILED: message.error = {error: message, type}. */
  readonly error?: { readonly type: string; readonly message: string };
  /** Query results use the pre-preview `result.data_typed_array` shape instead of `data_array`. */
  readonly legacyTypedArray?: boolean;
}

export interface TableColumnSpec {
  readonly name: string;
  readonly type_name: string;
  readonly type_text?: string;
  readonly type_scale?: number;
  readonly type_precision?: number;
}

export type TableSpec =
  | { readonly columns: TableColumnSpec[]; readonly rows: (string | null)[][]; readonly totalRowCount?: number }
  | { readonly generate: { readonly rows: number; readonly columns: number } };

export interface Fault {
  readonly endpoint: EndpointName;
  /** Answer with this status and the Databricks error body (plain text for 502/504 without errorCode). */
  readonly status?: number;
  /** @default derived from status */
  readonly errorCode?: string;
  readonly message?: string;
  /** Retry-After header value, verbatim: "2" or an HTTP date. */
  readonly retryAfter?: string;
  /** How many matching requests it affects. @default 1 */
  readonly times?: number;
  /** Accept the request, then send nothing for this long (real ms, not scaled). */
  readonly stallMs?: number;
  /** Destroy the connection (TCP RST) without answering. */
  readonly reset?: boolean;
  /** Perform the action first, then stall/reset/answer with status: "accepted but the response was lost". */
  readonly afterProcessing?: boolean;
}

export interface EmulatorStats {
  /** By endpoint, every status; admin (/_emulator/) traffic is not counted anywhere in the stats. */
  requests: Record<EndpointName | 'other', number>;
  /** By "endpoint status", e.g. "get-message 200". */
  responses: Record<string, number>;
  /** TCP connections accepted (connections that only carried admin requests excluded). */
  connections: number;
  /** Bytes written on the wire (after gzip), all sockets including still-open ones. */
  bytesSent: number;
  conversationsCreated: number;
  conversationsDeleted: string[];
  activeConversations: number;
  tokensIssued: number;
  /** Requests for presigned download files: served, or refused (Authorization header, expired, bad signature). */
  downloadFiles: { served: number; refused: number };
}

export interface EmulatedMessage {
  /** The space the message was asked in. */
  spaceId: string;
  conversationId: string;
  messageId: string;
  content: string;
  /** Emulator clock, ms. */
  createdAt: number;
  /** The scripted final status (the last step). */
  finalStatus: string;
  /** When the final status became visible: createdAt + scaled last step afterMs. */
  finalAt: number;
  getMessagePolls: number;
  executeQueryCalls: number;
}

export interface FeedbackRecord {
  spaceId: string;
  conversationId: string;
  messageId: string;
  rating: string;
  comment?: string;
  at: number;
}

export interface GenieEmulator {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The first space served. */
  readonly spaceId: string;
  /** Every space served, the first one first. */
  readonly spaceIds: readonly string[];
  /** The first accepted static token. */
  readonly token: string;
  /** http://127.0.0.1:<port> of the presigned download files: a separate server, as cloud storage is. */
  readonly filesUrl: string;
  /** Questions matching (string: trimmed, case-insensitive equality) get this answer; later scripts win. */
  script(match: string | RegExp, answer: ScriptedAnswer): void;
  /** A person's token stops working (expired or revoked): 401 from then on. */
  revokeToken(token: string): void;
  /** Queues an HTTP fault, independent of the question; faults are consumed in the order added. */
  fault(fault: Fault): void;
  stats(): EmulatorStats;
  /** Every message asked, in order (including those of deleted conversations). */
  messages(): EmulatedMessage[];
  feedback(): FeedbackRecord[];
  /** Clears scripts (keeps demo), faults, stats, conversations, messages, feedback and the rate-limit window. */
  reset(): void;
  /** Closes the server and all its sockets. */
  close(): Promise<void>;
}
