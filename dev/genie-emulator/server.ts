import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

import { ApiError, defaultErrorCode, invalid } from './api-error';
import { ConversationStore, RATINGS } from './conversations';
import { DEMO_QUESTIONS, DEMO_SPACE, DEMO_SPACE_ID, demoAnswers, fallbackAnswer, normalizeDemoQuestion } from './demo';
import { exactly, matching, ScriptBook } from './scenarios';
import {
  type EmulatorStats,
  ENDPOINT_NAMES,
  type EndpointName,
  type Fault,
  type GenieEmulator,
  type GenieEmulatorOptions,
  type OAuthClient,
  type ScriptedAnswer,
} from './types';
import { parseFault, parseScriptedAnswer, parseScriptEntry, ScenarioError } from './validate';

const gzip = promisify(gzipCallback);

export const DEFAULT_EMULATOR_TOKEN = 'emulator-token';

/** The API prefix, as a regex source. */
const GENIE = '/api/2\\.0/genie';
const ADMIN = '/_emulator';
const MAX_BODY_BYTES = 1024 * 1024;
const GZIP_MIN_BYTES = 1024;
const RATE_WINDOW_MS = 60_000;
const MAX_PAGE_SIZE = 100;
/** UNCONFIRMED: the API's default page size for list-conversations is not documented. */
const DEFAULT_PAGE_SIZE = 20;
const DEFAULT_TOKEN_LIFETIME_S = 3_600;

type EndpointOrOther = EndpointName | 'other';

interface Reply {
  readonly status: number;
  /** JSON body; `text` wins when both are set. */
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

interface Request {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Path parameters; optional groups (deprecated path forms) are undefined when absent. */
  readonly params: (string | undefined)[];
  readonly body: Buffer;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly endpoint: EndpointOrOther;
  readonly handle: (request: Request) => Reply;
}

interface SocketState {
  /** Stats generation the socket was accepted in; sockets from before a reset() no longer move the counters. */
  readonly epoch: number;
  /** bytesWritten at the last reset(). */
  bytesBase: number;
  /** Bytes of /_emulator/ responses, left out of bytesSent. */
  adminBytes: number;
  adminOnly: boolean;
  sawGenie: boolean;
}

const ID = '([^/]+)';

function emptyRequests(): Record<EndpointOrOther, number> {
  const requests = { other: 0 } as Record<EndpointOrOther, number>;
  for (const name of ENDPOINT_NAMES) requests[name] = 0;
  return requests;
}

/** True when Accept-Encoding lets us answer with gzip (an explicit q=0 forbids it; `*` allows it). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (!header) return false;
  let wildcard: boolean | undefined;
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [rawName = '', ...params] = part.split(';');
    const name = rawName.trim().toLowerCase();
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const allowed = (q === undefined ? 1 : Number(q.slice(2))) > 0;
    if (name === 'gzip' || name === 'x-gzip') return allowed;
    if (name === '*') wildcard = allowed;
  }
  return wildcard ?? false;
}

const FAULT_MESSAGES: Record<number, string> = {
  400: 'Bad request (emulated fault).',
  401: 'Credential was not sent or was of an unsupported type for this API.',
  403: 'You do not have permission to access this Genie space (emulated fault).',
  404: 'The requested resource does not exist (emulated fault).',
  409: 'The resource was modified concurrently (emulated fault).',
  429: 'Too many requests. Please wait a moment and try again (emulated fault).',
  500: 'Internal error (emulated fault).',
  503: 'The service is temporarily unavailable. Please try again later (emulated fault).',
};

function faultReply(fault: Fault & { status: number }): Reply {
  const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {};
  const message = fault.message ?? FAULT_MESSAGES[fault.status] ?? `Emulated fault: HTTP ${fault.status}.`;
  // Gateways in front of the workspace answer 502/504 with a plain page, not the JSON error body.
  if ((fault.status === 502 || fault.status === 504) && fault.errorCode === undefined) {
    return { status: fault.status, headers, text: fault.message ?? (fault.status === 502 ? '502 Bad Gateway' : '504 Gateway Time-out') };
  }
  if (fault.endpoint === 'token') {
    const code = fault.errorCode ?? (fault.status === 401 ? 'invalid_client' : fault.status < 500 ? 'invalid_request' : 'temporarily_unavailable');
    return { status: fault.status, headers, json: { error: code, error_description: message } };
  }
  return { status: fault.status, headers, json: { error_code: fault.errorCode ?? defaultErrorCode(fault.status), message } };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape is just an id that does not exist
  }
}

function errorReply(error: ApiError): Reply {
  return { status: error.status, headers: error.headers, json: { error_code: error.errorCode, message: error.message } };
}

/** An emulator-internal failure still answers in the Databricks shape instead of crashing the process. */
function internalReply(error: unknown): Reply {
  return { status: 500, json: { error_code: 'INTERNAL_ERROR', message: `Genie emulator bug: ${error instanceof Error ? error.message : String(error)}` } };
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true; // keep draining so the connection stays usable
    else chunks.push(chunk);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

/** The JSON object of a request body; an empty body is `{}`. */
function jsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'Invalid JSON given in the body of the request - expected a map', 'MALFORMED_REQUEST');
  }
  return value as Record<string, unknown>;
}

function questionOf(body: Buffer): string {
  const { content } = jsonBody(body);
  if (typeof content !== 'string' || content.trim() === '') throw invalid('content must be a non-empty string.');
  return content;
}

function validateOptions(options: GenieEmulatorOptions): void {
  const problems: string[] = [];
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port < 65_536)) problems.push('port');
  if (options.timeScale !== undefined && !(Number.isFinite(options.timeScale) && options.timeScale >= 0)) problems.push('timeScale');
  if (options.rateLimitPerMinute !== undefined && !(Number.isInteger(options.rateLimitPerMinute) && options.rateLimitPerMinute >= 1)) {
    problems.push('rateLimitPerMinute');
  }
  if (options.spaceId !== undefined && !/^[^/\s]+$/.test(options.spaceId)) problems.push('spaceId');
  if (options.tokens?.some((t) => !/^\S+$/.test(t))) problems.push('tokens');
  if (options.oauthClients?.some((c) => !c.clientId || !c.clientSecret || (c.expiresInSeconds !== undefined && !(c.expiresInSeconds > 0)))) {
    problems.push('oauthClients');
  }
  if (problems.length) throw new RangeError(`invalid Genie emulator option(s): ${problems.join(', ')}`);
}

/**
 * Starts a fake Databricks Genie Conversation API on 127.0.0.1 (see docs genie-api.md): the
 * documented endpoints and shapes, status progression over the emulator clock, bearer and OAuth
 * M2M auth, gzip, an optional workspace rate limit, scripted answers and HTTP faults, and an
 * unauthenticated admin API under /_emulator/ for other processes.
 */
export async function startGenieEmulator(options: GenieEmulatorOptions = {}): Promise<GenieEmulator> {
  validateOptions(options);
  const now = options.now ?? Date.now;
  const spaceId = options.spaceId ?? DEMO_SPACE_ID;
  const staticTokens = new Set(options.tokens ?? [DEFAULT_EMULATOR_TOKEN]);
  const oauthClients: readonly OAuthClient[] = options.oauthClients ?? [];
  const demo = options.demo ?? true;
  const gzipEnabled = options.gzip ?? true;
  const rateLimit = options.rateLimitPerMinute;

  const book = new ScriptBook();
  if (demo) {
    for (const [question, answer] of demoAnswers(now())) {
      const expected = normalizeDemoQuestion(question);
      const label = DEMO_QUESTIONS.includes(question) ? question : undefined;
      book.add((content) => normalizeDemoQuestion(content) === expected, answer, { demo: true, ...(label !== undefined ? { label } : {}) });
    }
  }
  const answerFor = (content: string): ScriptedAnswer => book.find(content) ?? fallbackAnswer(book.labels(), demo);
  const store = new ConversationStore(spaceId, options.timeScale ?? 1, now, answerFor);

  let faults: { fault: Fault; remaining: number }[] = [];
  let rateWindow: number[] = [];
  const issuedTokens = new Map<string, number>();
  let requests = emptyRequests();
  let responses: Record<string, number> = {};
  let tokensIssued = 0;

  // Wire-level accounting: connections and bytes, with admin traffic left out.
  const sockets = new Map<Socket, SocketState>();
  let epoch = 0;
  let accepted = 0;
  let adminOnlyConnections = 0;
  let closedBytes = 0;
  const netBytes = (socket: Socket, state: SocketState): number => socket.bytesWritten - state.bytesBase - state.adminBytes;

  let closed = false;
  const stalls = new Set<() => void>();
  function stall(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stalls.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      stalls.add(done);
    });
  }

  function takeFault(endpoint: EndpointOrOther): Fault | undefined {
    const index = faults.findIndex((f) => f.fault.endpoint === endpoint && f.remaining > 0);
    const entry = faults[index];
    if (!entry) return undefined;
    entry.remaining--;
    if (entry.remaining === 0) faults.splice(index, 1);
    return entry.fault;
  }

  function authenticate(req: IncomingMessage): void {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const token = match?.[1];
    if (token === undefined) {
      throw new ApiError(401, 'Credential was not sent or was of an unsupported type for this API.', 'UNAUTHENTICATED');
    }
    if (staticTokens.has(token)) return;
    const expiresAt = issuedTokens.get(token);
    if (expiresAt !== undefined && now() < expiresAt) return;
    throw new ApiError(401, expiresAt === undefined ? 'Invalid access token.' : 'Invalid access token: the token has expired.', 'UNAUTHENTICATED');
  }

  function requireSpace(id: string | undefined): void {
    if (id !== spaceId) throw new ApiError(404, `Genie space ${id ?? ''} does not exist.`, 'RESOURCE_DOES_NOT_EXIST');
  }

  /** Sliding 60 s window over accepted question POSTs; only those count, polling does not. */
  function admitQuestion(): void {
    if (rateLimit === undefined) return;
    const t = now();
    rateWindow = rateWindow.filter((at) => at > t - RATE_WINDOW_MS);
    const oldest = rateWindow[0];
    if (rateWindow.length >= rateLimit && oldest !== undefined) {
      const retryAfter = Math.max(1, Math.ceil((oldest + RATE_WINDOW_MS - t) / 1000));
      throw new ApiError(
        429,
        `Too many requests: this workspace allows ${rateLimit} questions per minute. Retry after ${retryAfter} s.`,
        'RESOURCE_EXHAUSTED',
        { 'Retry-After': String(retryAfter) },
      );
    }
    rateWindow.push(t);
  }

  function issueToken({ req, body }: Request): Reply {
    const form = new URLSearchParams(body.toString('utf8'));
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (basic !== undefined) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        clientId = decoded.slice(0, colon);
        clientSecret = decoded.slice(colon + 1);
      }
    }
    const client = oauthClients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
    if (!client) return { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, json: { error: 'unsupported_grant_type', error_description: 'Only grant_type=client_credentials is supported' } };
    }
    if (!(form.get('scope') ?? '').split(/\s+/).includes('all-apis')) {
      return { status: 400, json: { error: 'invalid_scope', error_description: 'The scope must include all-apis' } };
    }
    const expiresIn = client.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_S;
    const accessToken = `emu-m2m-${randomBytes(24).toString('hex')}`;
    issuedTokens.set(accessToken, now() + expiresIn * 1000);
    tokensIssued++;
    return { status: 200, json: { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: 'all-apis' } };
  }

  const spaceJson = (): unknown => ({
    space_id: spaceId,
    title: demo ? DEMO_SPACE.title : 'Genie emulator space',
    description: demo ? DEMO_SPACE.description : 'A Genie space served by the local Genie emulator.',
    warehouse_id: DEMO_SPACE.warehouseId,
  });

  const ok = (json: unknown): Reply => ({ status: 200, json });
  const S = `^${GENIE}/spaces/${ID}`;
  const M = `${S}/conversations/${ID}/messages/${ID}`;
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: new RegExp(`${S}/start-conversation$`),
      endpoint: 'start-conversation',
      handle: ({ params, body }) => {
        requireSpace(params[0]);
        const content = questionOf(body);
        admitQuestion();
        return ok(store.startConversation(content));
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${S}/conversations/${ID}/messages$`),
      endpoint: 'create-message',
      handle: ({ params: [space, conversation = ''], body }) => {
        requireSpace(space);
        const content = questionOf(body);
        store.requireConversation(conversation);
        admitQuestion();
        return ok(store.createMessage(conversation, content));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${M}$`),
      endpoint: 'get-message',
      handle: ({ params: [space, conversation = '', message = ''] }) => {
        requireSpace(space);
        return ok(store.getMessage(conversation, message));
      },
    },
    {
      method: 'GET',
      // The current form, then the two deprecated ones (per attachment and per message).
      pattern: new RegExp(`${M}/(?:attachments/${ID}/query-result|query-result/${ID}|query-result)$`),
      endpoint: 'query-result',
      handle: ({ params: [space, conversation = '', message = '', attachment, legacyAttachment] }) => {
        requireSpace(space);
        return ok(store.queryResult(conversation, message, attachment ?? legacyAttachment));
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${M}/(?:attachments/${ID}/)?execute-query$`),
      endpoint: 'execute-query',
      handle: ({ params: [space, conversation = '', message = '', attachment], body }) => {
        requireSpace(space);
        jsonBody(body);
        return ok(store.executeQuery(conversation, message, attachment));
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${M}/feedback$`),
      endpoint: 'feedback',
      handle: ({ params: [space, conversation = '', message = ''], body }) => {
        requireSpace(space);
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
      handle: ({ params: [space, conversation = ''] }) => {
        requireSpace(space);
        store.deleteConversation(conversation);
        return ok({});
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${S}/conversations$`),
      endpoint: 'list-conversations',
      handle: ({ params: [space], url }) => {
        requireSpace(space);
        const rawSize = url.searchParams.get('page_size');
        const pageSize = rawSize === null ? DEFAULT_PAGE_SIZE : Number(rawSize);
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
          throw invalid(`page_size must be an integer between 1 and ${MAX_PAGE_SIZE}.`);
        }
        return ok(store.listConversations(pageSize, url.searchParams.get('page_token') || undefined));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${S}$`),
      endpoint: 'get-space',
      handle: ({ params: [space] }) => {
        requireSpace(space);
        return ok(spaceJson());
      },
    },
    { method: 'GET', pattern: new RegExp(`^${GENIE}/spaces$`), endpoint: 'other', handle: () => ok({ spaces: [spaceJson()] }) },
    { method: 'POST', pattern: /^\/oidc\/v1\/token$/, endpoint: 'token', handle: issueToken },
  ];

  function route(method: string, path: string): { route: Route; params: (string | undefined)[] } | undefined {
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (match) return { route: candidate, params: match.slice(1).map((p) => (p === undefined ? p : safeDecode(p))) };
    }
    return undefined;
  }

  function handle(matched: ReturnType<typeof route>, request: Omit<Request, 'params'>): Reply {
    try {
      if (matched?.route.endpoint !== 'token') authenticate(request.req);
      if (!matched) {
        throw new ApiError(404, `No API found for '${request.req.method ?? 'GET'} ${request.url.pathname}'`, 'ENDPOINT_NOT_FOUND');
      }
      return matched.route.handle({ ...request, params: matched.params });
    } catch (error: unknown) {
      return error instanceof ApiError ? errorReply(error) : internalReply(error);
    }
  }

  async function send(req: IncomingMessage, res: ServerResponse, endpoint: EndpointOrOther, reply: Reply): Promise<void> {
    const isText = reply.text !== undefined;
    let body = Buffer.from(isText ? (reply.text ?? '') : JSON.stringify(reply.json ?? {}), 'utf8');
    const headers: Record<string, string | number> = {
      'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json',
      'x-request-id': randomUUID(),
      ...reply.headers,
    };
    if (gzipEnabled) {
      headers.Vary = 'Accept-Encoding';
      if (body.length >= GZIP_MIN_BYTES && acceptsGzip(req.headers['accept-encoding'])) {
        body = await gzip(body);
        headers['Content-Encoding'] = 'gzip';
      }
    }
    headers['Content-Length'] = body.length;
    if (res.destroyed || req.socket.destroyed) return; // the client gave up (e.g. during a stall): nothing reaches the wire
    const key = `${endpoint} ${reply.status}`;
    responses[key] = (responses[key] ?? 0) + 1;
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  function destroyWithReset(socket: Socket): void {
    // RST rather than FIN: the client sees ECONNRESET, as when a proxy drops a connection.
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }

  async function serveGenie(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const state = sockets.get(req.socket);
    if (state && !state.sawGenie) {
      state.sawGenie = true;
      if (state.adminOnly && state.epoch === epoch) adminOnlyConnections--;
      state.adminOnly = false;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const matched = route(method, url.pathname);
    const endpoint = matched?.route.endpoint ?? 'other';
    requests[endpoint]++;
    const body = await readBody(req);
    const fault = endpoint === 'other' ? undefined : takeFault(endpoint);
    if (fault && !fault.afterProcessing && (await applyFault(fault, req, res, endpoint))) return;
    const reply = body === undefined ? errorReply(invalid(`Request body larger than ${MAX_BODY_BYTES} bytes.`)) : handle(matched, { req, url, body });
    if (fault?.afterProcessing && (await applyFault(fault, req, res, endpoint))) return;
    if (!closed) await send(req, res, endpoint, reply);
  }

  /** Stalls, resets or answers as the fault says; true when the request has been dealt with. */
  async function applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, endpoint: EndpointOrOther): Promise<boolean> {
    if (fault.stallMs) await stall(fault.stallMs);
    if (closed) return true;
    if (fault.reset) {
      destroyWithReset(req.socket);
      return true;
    }
    if (fault.status !== undefined) {
      await send(req, res, endpoint, faultReply({ ...fault, status: fault.status }));
      return true;
    }
    return false;
  }

  function stats(): EmulatorStats {
    let bytes = closedBytes;
    for (const [socket, state] of sockets) bytes += netBytes(socket, state);
    return {
      requests: { ...requests },
      responses: { ...responses },
      connections: accepted - adminOnlyConnections,
      bytesSent: bytes,
      conversationsCreated: store.created,
      conversationsDeleted: [...store.deleted],
      activeConversations: store.active,
      tokensIssued,
    };
  }

  function script(match: string | RegExp, answer: ScriptedAnswer): void {
    const checked = parseScriptedAnswer(answer);
    if (typeof match === 'string') book.add(exactly(match), checked, { label: match.trim() });
    else book.add(matching(match), checked);
  }

  function fault(value: Fault): void {
    const checked = parseFault(value);
    faults.push({ fault: checked, remaining: checked.times ?? 1 });
  }

  function reset(): void {
    book.clearScripts();
    faults = [];
    rateWindow = [];
    requests = emptyRequests();
    responses = {};
    tokensIssued = 0;
    store.clear();
    epoch++;
    accepted = 0;
    adminOnlyConnections = 0;
    closedBytes = 0;
    for (const [socket, state] of sockets) {
      state.bytesBase = socket.bytesWritten;
      state.adminBytes = 0;
    }
  }

  async function serveAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const socket = req.socket;
    const state = sockets.get(socket);
    if (state && !state.sawGenie && !state.adminOnly && state.epoch === epoch) {
      state.adminOnly = true;
      adminOnlyConnections++;
    }
    const before = socket.bytesWritten;
    res.once('finish', () => {
      const current = sockets.get(socket);
      if (current) current.adminBytes += socket.bytesWritten - before;
      else closedBytes -= socket.bytesWritten - before;
    });
    const reply = await admin(req, url);
    const body = JSON.stringify(reply.json ?? {});
    res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  async function admin(req: IncomingMessage, url: URL): Promise<Reply> {
    const address = req.socket.remoteAddress ?? '';
    if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address)) return { status: 403, json: { error_code: 'PERMISSION_DENIED', message: 'loopback only' } };
    const body = await readBody(req);
    const key = `${req.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '')}`;
    try {
      switch (key) {
        case `GET ${ADMIN}`:
          return ok({ url: emulator.url, spaceId, token: emulator.token, demoQuestions: demo ? DEMO_QUESTIONS : [] });
        case `POST ${ADMIN}/scripts`: {
          const entry = parseScriptEntry(jsonBody(body ?? Buffer.alloc(0)));
          script(entry.match, entry.answer);
          return ok({});
        }
        case `POST ${ADMIN}/faults`:
          fault(parseFault(jsonBody(body ?? Buffer.alloc(0))));
          return ok({});
        case `GET ${ADMIN}/stats`:
          return ok({ stats: stats(), messages: store.messages(), feedback: store.feedback() });
        case `POST ${ADMIN}/reset`:
          reset();
          return ok({});
        default:
          return { status: 404, json: { error_code: 'ENDPOINT_NOT_FOUND', message: `No emulator admin API for '${key}'` } };
      }
    } catch (error: unknown) {
      if (error instanceof ApiError) return errorReply(error);
      if (error instanceof ScenarioError) return errorReply(invalid(error.message));
      return internalReply(error);
    }
  }

  const server: Server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      const body = JSON.stringify({ error_code: 'BAD_REQUEST', message: 'Malformed request target.' });
      res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
      return;
    }
    const isAdmin = url.pathname === ADMIN || url.pathname.startsWith(`${ADMIN}/`);
    void (isAdmin ? serveAdmin(req, res, url) : serveGenie(req, res, url)).catch((error: unknown) => {
      // Reading the body failed (the client went away) or a bug: never let it take the process down.
      if (!res.headersSent && !res.destroyed) {
        const body = JSON.stringify((internalReply(error).json ?? {}));
        res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
      } else {
        res.destroy();
      }
    });
  });
  // Longer than any client pool's idle timeout, so pooled sockets are reused instead of racing our close.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.set(socket, { epoch, bytesBase: 0, adminBytes: 0, adminOnly: false, sawGenie: false });
    socket.once('close', () => {
      const state = sockets.get(socket);
      if (state) closedBytes += netBytes(socket, state);
      sockets.delete(socket);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const emulator: GenieEmulator = {
    url: `http://127.0.0.1:${port}`,
    spaceId,
    token: [...staticTokens][0] ?? '',
    script,
    fault,
    stats,
    messages: () => store.messages(),
    feedback: () => store.feedback(),
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        for (const release of [...stalls]) release();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets.keys()) socket.destroy();
      }),
  };
  return emulator;
}
