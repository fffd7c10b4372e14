import type { IncomingMessage } from 'node:http';

import { ApiError, invalid } from './api-error';
import type { TokenAuth } from './auth';
import { type ConversationStore, RATINGS } from './conversations';
import type { DownloadStore } from './downloads';
import { type Caller, requireSpaceAccess, SERVICE_CALLER } from './principals';
import type { QuestionRateLimit } from './rate-limit';
import { type EndpointOrOther, errorReply, internalReply, jsonBody, ok, type Reply } from './wire';

/** The API prefix, as a regex source. */
const GENIE = '/api/2\\.0/genie';
const ID = '([^/]+)';
const MAX_PAGE_SIZE = 100;
/** UNCONFIRMED: the API's default page size for list-conversations is not documented. */
const DEFAULT_PAGE_SIZE = 20;

export interface Request {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Path parameters; optional groups (deprecated path forms) are undefined when absent. */
  readonly params: (string | undefined)[];
  readonly body: Buffer;
  /** Whose token the request carries. */
  readonly caller: Caller;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly endpoint: EndpointOrOther;
  readonly handle: (request: Request) => Reply;
}

export interface MatchedRoute {
  readonly route: Route;
  readonly params: (string | undefined)[];
}

/** A space as GET /spaces/{id} shows it. */
export interface SpaceInfo {
  readonly title: string;
  readonly description: string;
  readonly warehouseId: string;
}

/** What the Genie API handlers work on. */
export interface GenieApi {
  /** The spaces served, by id, in order. */
  readonly spaces: ReadonlyMap<string, SpaceInfo>;
  readonly store: ConversationStore;
  readonly rateLimit: QuestionRateLimit;
  readonly auth: TokenAuth;
  readonly downloads: DownloadStore;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape is just an id that does not exist
  }
}

function questionOf(body: Buffer): string {
  const { content } = jsonBody(body);
  if (typeof content !== 'string' || content.trim() === '') throw invalid('content must be a non-empty string.');
  return content;
}

/** The documented Genie endpoints (and the OAuth token endpoint), matched by method and path. */
export class GenieRouter {
  private readonly routes: readonly Route[];

  constructor(private readonly api: GenieApi) {
    this.routes = genieRoutes(api);
  }

  match(method: string, path: string): MatchedRoute | undefined {
    for (const candidate of this.routes) {
      if (candidate.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (match) return { route: candidate, params: match.slice(1).map((p) => (p === undefined ? p : safeDecode(p))) };
    }
    return undefined;
  }

  /** Authenticates (all but the token endpoint) and runs the handler; errors become the API's error replies. */
  handle(matched: MatchedRoute | undefined, request: Omit<Request, 'params' | 'caller'>): Reply {
    try {
      const caller = matched?.route.endpoint !== 'token' ? this.api.auth.authenticate(request.req) : SERVICE_CALLER;
      if (!matched) {
        throw new ApiError(404, `No API found for '${request.req.method ?? 'GET'} ${request.url.pathname}'`, 'ENDPOINT_NOT_FOUND');
      }
      return matched.route.handle({ ...request, params: matched.params, caller });
    } catch (error: unknown) {
      return error instanceof ApiError ? errorReply(error) : internalReply(error);
    }
  }
}

function genieRoutes({ spaces, store, rateLimit, auth, downloads }: GenieApi): Route[] {
  /** The space's id, once it exists and the caller may open it (404, 403 as Genie answers). */
  const requireSpace = (id: string | undefined, caller: Caller): string => {
    if (id === undefined || !spaces.has(id)) throw new ApiError(404, `Genie space ${id ?? ''} does not exist.`, 'RESOURCE_DOES_NOT_EXIST');
    requireSpaceAccess(id, caller);
    return id;
  };
  const spaceJson = (id: string): unknown => {
    const info = spaces.get(id)!;
    return { space_id: id, title: info.title, description: info.description, warehouse_id: info.warehouseId };
  };
  const S = `^${GENIE}/spaces/${ID}`;
  const M = `${S}/conversations/${ID}/messages/${ID}`;
  return [
    {
      method: 'POST',
      pattern: new RegExp(`${S}/start-conversation$`),
      endpoint: 'start-conversation',
      handle: ({ params, body, caller }) => {
        const space = requireSpace(params[0], caller);
        const content = questionOf(body);
        rateLimit.admit();
        return ok(store.startConversation(content, caller, space));
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${S}/conversations/${ID}/messages$`),
      endpoint: 'create-message',
      handle: ({ params: [space, conversation = ''], body, caller }) => {
        const id = requireSpace(space, caller);
        const content = questionOf(body);
        store.requireConversation(conversation, caller, id);
        rateLimit.admit();
        return ok(store.createMessage(conversation, content));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${M}$`),
      endpoint: 'get-message',
      handle: ({ params: [space, conversation = '', message = ''], caller }) => {
        store.requireConversation(conversation, caller, requireSpace(space, caller));
        return ok(store.getMessage(conversation, message));
      },
    },
    {
      method: 'GET',
      // The current form, then the two deprecated ones (per attachment and per message).
      pattern: new RegExp(`${M}/(?:attachments/${ID}/query-result|query-result/${ID}|query-result)$`),
      endpoint: 'query-result',
      handle: ({ params: [space, conversation = '', message = '', attachment, legacyAttachment], caller }) => {
        store.requireConversation(conversation, caller, requireSpace(space, caller));
        return ok(store.queryResult(conversation, message, attachment ?? legacyAttachment, caller));
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${M}/(?:attachments/${ID}/)?execute-query$`),
      endpoint: 'execute-query',
      handle: ({ params: [space, conversation = '', message = '', attachment], body, caller }) => {
        const id = requireSpace(space, caller);
        jsonBody(body);
        store.requireConversation(conversation, caller, id);
        return ok(store.executeQuery(conversation, message, attachment, caller));
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${M}/attachments/${ID}/downloads$`),
      endpoint: 'generate-download',
      handle: ({ params: [space, conversation = '', message = '', attachment = ''], body, caller }) => {
        jsonBody(body);
        store.requireConversation(conversation, caller, requireSpace(space, caller));
        const { table, download } = store.fullResult(conversation, message, attachment, caller);
        return ok(downloads.create({ conversationId: conversation, messageId: message, attachmentId: attachment }, table, download));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${M}/attachments/${ID}/downloads/${ID}$`),
      endpoint: 'get-download',
      handle: ({ params: [space, conversation = '', message = '', attachment = '', download = ''], url, caller }) => {
        store.requireConversation(conversation, caller, requireSpace(space, caller));
        const owner = { conversationId: conversation, messageId: message, attachmentId: attachment };
        return ok(downloads.get(owner, download, url.searchParams.get('download_id_signature')));
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${M}/feedback$`),
      endpoint: 'feedback',
      handle: ({ params: [space, conversation = '', message = ''], body, caller }) => {
        store.requireConversation(conversation, caller, requireSpace(space, caller));
        const { rating, comment, ...rest } = jsonBody(body);
        const extra = Object.keys(rest);
        if (extra.length) throw invalid(`Unknown field(s) ${extra.join(', ')}: the body is {rating, comment?}.`);
        if (typeof rating !== 'string' || !RATINGS.includes(rating)) throw invalid(`rating must be one of ${RATINGS.join(', ')}.`);
        if (comment !== undefined && typeof comment !== 'string') throw invalid('comment must be a string.');
        store.sendFeedback(conversation, message, rating, comment);
        return ok({});
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`${S}/conversations/${ID}$`),
      endpoint: 'delete-conversation',
      handle: ({ params: [space, conversation = ''], caller }) => {
        store.requireConversation(conversation, caller, requireSpace(space, caller));
        store.deleteConversation(conversation);
        return ok({});
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${S}/conversations$`),
      endpoint: 'list-conversations',
      handle: ({ params: [space], url, caller }) => {
        const id = requireSpace(space, caller);
        const rawSize = url.searchParams.get('page_size');
        const pageSize = rawSize === null ? DEFAULT_PAGE_SIZE : Number(rawSize);
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
          throw invalid(`page_size must be an integer between 1 and ${MAX_PAGE_SIZE}.`);
        }
        return ok(store.listConversations(pageSize, url.searchParams.get('page_token') || undefined, id));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${S}$`),
      endpoint: 'get-space',
      handle: ({ params: [space], caller }) => ok(spaceJson(requireSpace(space, caller))),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${GENIE}/spaces$`),
      endpoint: 'other',
      handle: ({ caller }) => {
        const open = [...spaces.keys()].filter((id) => caller.kind === 'service' || !caller.user.spaces || caller.user.spaces.includes(id));
        return ok({ spaces: open.map(spaceJson) });
      },
    },
    { method: 'POST', pattern: /^\/oidc\/v1\/token$/, endpoint: 'token', handle: ({ req, body }) => auth.issueToken(req, body) },
  ];
}
