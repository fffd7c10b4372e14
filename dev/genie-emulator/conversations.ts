import { randomBytes, randomUUID } from 'node:crypto';

import { invalid, notFound } from './api-error';
import { type Caller, filterRows, ownerOf, requireOwner, SERVICE_CALLER } from './principals';
import { DEFAULT_ERROR, defaultSteps, FINAL_STATUSES, stepIndexAt, type TimedStep, timeline, visibleQueryCount } from './scenarios';
import { materialize, type MaterializedTable, materializeFull, succeededStatement } from './tables';
import type { EmulatedMessage, FeedbackRecord, ScriptedAnswer, ScriptedDownload, ScriptedQuery } from './types';

/** The user every emulated message belongs to (int64 in the API; kept below 2^53). */
export const EMULATOR_USER_ID = 6_284_753_218_393_716;

/** 32 lowercase hex characters, like Genie's conversation, message and attachment ids. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

interface QueryAttachment {
  readonly attachmentId: string;
  readonly query: ScriptedQuery;
  /** Changes when execute-query runs the SQL again. */
  statementId: string;
}

interface MessageRecord {
  readonly spaceId: string;
  readonly conversationId: string;
  readonly messageId: string;
  readonly content: string;
  readonly createdAt: number;
  readonly answer: ScriptedAnswer;
  readonly steps: TimedStep[];
  readonly queries: QueryAttachment[];
  readonly textId: string;
  readonly clarificationId: string;
  readonly suggestedId: string;
  /** Set when execute-query re-ran a query of a QUERY_RESULT_EXPIRED message: it reports COMPLETED from then on. */
  reexecutedAt?: number;
  feedback?: { rating: string; comment?: string };
  getMessagePolls: number;
  executeQueryCalls: number;
}

interface ConversationRecord {
  readonly id: string;
  /** The space it was started in: it exists nowhere else. */
  readonly spaceId: string;
  readonly title: string;
  readonly createdAt: number;
  lastUpdatedAt: number;
  readonly messages: MessageRecord[];
  /** Who started it (the service or a person): nobody else may continue or read it. */
  readonly owner: string;
}

/** The state of a message at one instant of the emulator clock. */
interface MessageView {
  readonly status: string;
  readonly lastUpdatedAt: number;
  readonly visibleQueries: number;
  /** The final step is visible and it is COMPLETED or QUERY_RESULT_EXPIRED: text and suggestions are out. */
  readonly answered: boolean;
  readonly failed: boolean;
  readonly cancelled: boolean;
  /** QUERY_RESULT_EXPIRED and not re-executed yet. */
  readonly expired: boolean;
}

export const RATINGS: readonly string[] = ['POSITIVE', 'NEGATIVE', 'NONE'];

/**
 * Conversations and messages of the emulated spaces, and how they look at a given time. A message's answer
 * is chosen when it is created and its status derives from the elapsed (scaled) time, so clients
 * can poll at any rate and tests can move an injected clock instead of waiting.
 */
export class ConversationStore {
  private readonly conversations = new Map<string, ConversationRecord>();
  private log: MessageRecord[] = [];
  private feedbackLog: FeedbackRecord[] = [];
  deleted: string[] = [];
  created = 0;

  constructor(
    /** The space of calls that name none (the first one served). */
    readonly spaceId: string,
    private readonly timeScale: number,
    private readonly now: () => number,
    private readonly answerFor: (content: string, spaceId: string) => ScriptedAnswer,
  ) {}

  get active(): number {
    return this.conversations.size;
  }

  clear(): void {
    this.conversations.clear();
    this.log = [];
    this.feedbackLog = [];
    this.deleted = [];
    this.created = 0;
  }

  /** The start-conversation answer: {conversation_id, message_id, conversation, message}. */
  startConversation(content: string, caller: Caller = SERVICE_CALLER, spaceId: string = this.spaceId): unknown {
    const now = this.now();
    const conversation: ConversationRecord = {
      owner: ownerOf(caller),
      id: newId(),
      spaceId,
      title: content.trim().slice(0, 100),
      createdAt: now,
      lastUpdatedAt: now,
      messages: [],
    };
    this.conversations.set(conversation.id, conversation);
    this.created++;
    const message = this.addMessage(conversation, content, now);
    return {
      conversation_id: conversation.id,
      message_id: message.messageId,
      conversation: this.renderConversation(conversation),
      message: this.renderMessage(message),
    };
  }

  /** Throws 404 for an unknown (or deleted) conversation or one of another space, 403 for someone else's. */
  requireConversation(conversationId: string, caller: Caller = SERVICE_CALLER, spaceId: string = this.spaceId): void {
    const conversation = this.conversation(conversationId);
    if (conversation.spaceId !== spaceId) throw notFound('Conversation', conversationId);
    requireOwner(conversation.owner, caller);
  }

  /** Throws 404 for an unknown (or deleted) conversation. */
  createMessage(conversationId: string, content: string): unknown {
    const conversation = this.conversation(conversationId);
    const message = this.addMessage(conversation, content, this.now());
    conversation.lastUpdatedAt = message.createdAt;
    return this.renderMessage(message);
  }

  /** Throws 404 for an unknown conversation or message. Counts the poll. */
  getMessage(conversationId: string, messageId: string): unknown {
    const message = this.message(conversationId, messageId);
    message.getMessagePolls++;
    return this.renderMessage(message);
  }

  deleteConversation(conversationId: string): void {
    this.conversation(conversationId);
    this.conversations.delete(conversationId);
    this.deleted.push(conversationId);
  }

  /** Newest first; the page token is an opaque offset. */
  listConversations(pageSize: number, pageToken: string | undefined, spaceId: string = this.spaceId): unknown {
    const offset = pageToken === undefined ? 0 : decodePageToken(pageToken);
    // Reversed first so that conversations created in the same millisecond also come newest first.
    const all = [...this.conversations.values()]
      .filter((c) => c.spaceId === spaceId)
      .reverse()
      .sort((a, b) => b.createdAt - a.createdAt);
    const page = all.slice(offset, offset + pageSize);
    const next = offset + pageSize < all.length ? encodePageToken(offset + pageSize) : undefined;
    return {
      conversations: page.map((c) => ({ conversation_id: c.id, title: c.title, created_timestamp: c.createdAt })),
      ...(next !== undefined ? { next_page_token: next } : {}),
    };
  }

  /**
   * GET query-result. An attachment that is not visible yet (the message has not reached its
   * EXECUTING_QUERY step) answers 404 RESOURCE_DOES_NOT_EXIST: for the API it does not exist yet.
   * `attachmentId` undefined = the deprecated per-message form: the last visible query.
   */
  queryResult(conversationId: string, messageId: string, attachmentId: string | undefined, caller: Caller = SERVICE_CALLER): unknown {
    const message = this.message(conversationId, messageId);
    const view = this.view(message);
    const attachment = this.visibleQuery(message, view, attachmentId);
    if (view.failed) return { statement_response: failedStatement(attachment.statementId, message) };
    if (view.cancelled) return { statement_response: { statement_id: attachment.statementId, status: { state: 'CANCELED' } } };
    // Our choice for an expired result: 200 with state CLOSED and no manifest or result, like the
    // Statement Execution API for a closed statement; the client must call execute-query.
    if (view.expired) return { statement_response: { statement_id: attachment.statementId, status: { state: 'CLOSED' } } };
    return { statement_response: this.statement(message, attachment, caller) };
  }

  /** POST execute-query: runs the SQL again under a new statement id; an expired message becomes COMPLETED. */
  executeQuery(conversationId: string, messageId: string, attachmentId: string | undefined, caller: Caller = SERVICE_CALLER): unknown {
    const message = this.message(conversationId, messageId);
    const view = this.view(message);
    const attachment = this.visibleQuery(message, view, attachmentId);
    message.executeQueryCalls++;
    if (view.failed) return { statement_response: failedStatement(attachment.statementId, message) };
    attachment.statementId = randomUUID();
    if (view.expired) message.reexecutedAt = this.now();
    return { statement_response: this.statement(message, attachment, caller) };
  }

  /**
   * What a full-result download of a query attachment serves: every row the caller may see. The
   * attachment must be visible; a failed or cancelled message has nothing to download (400).
   */
  fullResult(
    conversationId: string,
    messageId: string,
    attachmentId: string,
    caller: Caller = SERVICE_CALLER,
  ): { table: MaterializedTable; download?: ScriptedDownload } {
    const message = this.message(conversationId, messageId);
    const view = this.view(message);
    const attachment = this.visibleQuery(message, view, attachmentId);
    if (view.failed || view.cancelled) throw invalid(`Message ${messageId} has no query result to download.`);
    const { result, download } = attachment.query;
    return { table: filterRows(materializeFull(result), caller), ...(download ? { download } : {}) };
  }

  /** The caller validated the rating. */
  sendFeedback(conversationId: string, messageId: string, rating: string, comment: string | undefined): void {
    const message = this.message(conversationId, messageId);
    message.feedback = { rating, ...(comment !== undefined ? { comment } : {}) };
    this.feedbackLog.push({
      spaceId: message.spaceId,
      conversationId,
      messageId,
      rating,
      ...(comment !== undefined ? { comment } : {}),
      at: this.now(),
    });
  }

  messages(): EmulatedMessage[] {
    return this.log.map((m) => {
      const last = m.steps[m.steps.length - 1];
      return {
        spaceId: m.spaceId,
        conversationId: m.conversationId,
        messageId: m.messageId,
        content: m.content,
        createdAt: m.createdAt,
        finalStatus: last?.status ?? 'SUBMITTED',
        finalAt: last?.at ?? m.createdAt,
        getMessagePolls: m.getMessagePolls,
        executeQueryCalls: m.executeQueryCalls,
      };
    });
  }

  feedback(): FeedbackRecord[] {
    return this.feedbackLog.map((f) => ({ ...f }));
  }

  private addMessage(conversation: ConversationRecord, content: string, now: number): MessageRecord {
    const answer = this.answerFor(content, conversation.spaceId);
    const message: MessageRecord = {
      spaceId: conversation.spaceId,
      conversationId: conversation.id,
      messageId: newId(),
      content,
      createdAt: now,
      answer,
      steps: timeline(answer.steps ?? defaultSteps(answer), now, this.timeScale),
      queries: (answer.queries ?? []).map((query) => ({ attachmentId: newId(), query, statementId: randomUUID() })),
      textId: newId(),
      clarificationId: newId(),
      suggestedId: newId(),
      getMessagePolls: 0,
      executeQueryCalls: 0,
    };
    conversation.messages.push(message);
    this.log.push(message);
    return message;
  }

  private conversation(conversationId: string): ConversationRecord {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw notFound('Conversation', conversationId);
    return conversation;
  }

  private message(conversationId: string, messageId: string): MessageRecord {
    const message = this.conversation(conversationId).messages.find((m) => m.messageId === messageId);
    if (!message) throw notFound('Message', messageId);
    return message;
  }

  private visibleQuery(message: MessageRecord, view: MessageView, attachmentId: string | undefined): QueryAttachment {
    const visible = message.queries.slice(0, view.visibleQueries);
    if (attachmentId === undefined) {
      const last = visible[visible.length - 1];
      if (!last) throw notFound('Query result for message', message.messageId);
      return last;
    }
    const attachment = visible.find((q) => q.attachmentId === attachmentId);
    if (attachment) return attachment;
    if (view.answered && [message.textId, message.clarificationId, message.suggestedId].includes(attachmentId)) {
      throw invalid(`Attachment ${attachmentId} is not a query attachment.`);
    }
    throw notFound('Attachment', attachmentId);
  }

  private view(message: MessageRecord): MessageView {
    const index = stepIndexAt(message.steps, this.now());
    const step = message.steps[index];
    const atFinal = index === message.steps.length - 1 && FINAL_STATUSES.includes(step?.status ?? '');
    const scripted = step?.status ?? 'SUBMITTED';
    const reexecuted = message.reexecutedAt !== undefined;
    return {
      status: reexecuted ? 'COMPLETED' : scripted,
      lastUpdatedAt: Math.max(message.createdAt, step?.at ?? 0, message.reexecutedAt ?? 0),
      visibleQueries: visibleQueryCount(message.steps, index, message.queries.length),
      answered: atFinal && (scripted === 'COMPLETED' || scripted === 'QUERY_RESULT_EXPIRED'),
      failed: atFinal && scripted === 'FAILED',
      cancelled: atFinal && scripted === 'CANCELLED',
      expired: atFinal && scripted === 'QUERY_RESULT_EXPIRED' && !reexecuted,
    };
  }

  private statement(message: MessageRecord, attachment: QueryAttachment, caller: Caller): unknown {
    const table = filterRows(materialize(attachment.query.result), caller);
    return succeededStatement(attachment.statementId, table, message.answer.legacyTypedArray ?? false);
  }

  private renderConversation(conversation: ConversationRecord): unknown {
    return {
      id: conversation.id,
      conversation_id: conversation.id,
      space_id: conversation.spaceId,
      user_id: EMULATOR_USER_ID,
      title: conversation.title,
      created_timestamp: conversation.createdAt,
      last_updated_timestamp: conversation.lastUpdatedAt,
    };
  }

  /** A GenieMessage as the API returns it; empty fields are left out, as the API does. */
  private renderMessage(message: MessageRecord): unknown {
    const view = this.view(message);
    const { answer } = message;
    const attachments: unknown[] = [];
    const queries = message.queries.slice(0, view.visibleQueries);
    for (const q of queries) {
      const table = materialize(q.query.result);
      attachments.push({
        attachment_id: q.attachmentId,
        query: {
          id: q.attachmentId,
          title: q.query.title,
          description: q.query.description ?? '',
          query: q.query.sql,
          statement_id: q.statementId,
          ...(q.query.thoughts?.length ? { thoughts: q.query.thoughts.map((t) => ({ thought_type: t.type, content: t.content })) } : {}),
          ...(view.failed || view.cancelled
            ? {}
            : { query_result_metadata: { row_count: table.totalRowCount, is_truncated: table.truncated } }),
        },
      });
    }
    if (view.answered) {
      if (answer.text !== undefined) {
        attachments.push({
          attachment_id: message.textId,
          text: { id: message.textId, content: answer.text, purpose: 'TEXT_ATTACHMENT_PURPOSE_ANSWER' },
        });
      }
      if (answer.clarification !== undefined) {
        attachments.push({
          attachment_id: message.clarificationId,
          text: { id: message.clarificationId, content: answer.clarification, purpose: 'FOLLOW_UP_QUESTION' },
        });
      }
      if (answer.suggestedQuestions?.length) {
        attachments.push({ attachment_id: message.suggestedId, suggested_questions: { questions: answer.suggestedQuestions } });
      }
    }
    const lastQuery = queries[queries.length - 1];
    const lastTable = lastQuery ? materialize(lastQuery.query.result) : undefined;
    const error = answer.error ?? DEFAULT_ERROR;
    return {
      id: message.messageId,
      message_id: message.messageId,
      conversation_id: message.conversationId,
      space_id: message.spaceId,
      user_id: EMULATOR_USER_ID,
      content: message.content,
      status: view.status,
      ...(attachments.length ? { attachments } : {}),
      ...(lastQuery && lastTable && !view.failed && !view.cancelled
        ? { query_result: { statement_id: lastQuery.statementId, row_count: lastTable.totalRowCount, is_truncated: lastTable.truncated } }
        : {}),
      ...(view.failed ? { error: { error: error.message, type: error.type } } : {}),
      ...(message.feedback ? { feedback: message.feedback } : {}),
      created_timestamp: message.createdAt,
      last_updated_timestamp: view.lastUpdatedAt,
    };
  }
}

function failedStatement(statementId: string, message: MessageRecord): unknown {
  const error = message.answer.error ?? DEFAULT_ERROR;
  return { statement_id: statementId, status: { state: 'FAILED', error: { error_code: error.type, message: error.message } } };
}

function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodePageToken(token: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match?.[1]) throw invalid(`Invalid page_token: ${token}`);
  return Number(match[1]);
}
