import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { createFakeTokenService, type FakeTokenService, type FakeTokenServiceOptions } from './fake-token-service';

export interface RecordedActivity {
  readonly method: 'POST' | 'PUT';
  readonly conversationId: string;
  /** For PUT: the activity replaced; for a reply POST: the activity replied to. */
  readonly targetId?: string;
  /** The id the connector gave (POST) or kept (PUT). */
  readonly id: string;
  readonly activity: Record<string, unknown>;
  readonly at: number;
}

/** Picks activities by their body (e.g. cards: `(a) => Array.isArray(a.attachments)`). */
export type ActivityFilter = (activity: Record<string, unknown>) => boolean;

/** A scripted refusal: the next `times` matching requests get `status` instead of being recorded. */
export interface ConnectorFault {
  readonly status: number;
  /** @default 1 */
  readonly times?: number;
  /** Only this verb (a send is POST, an update PUT); both when absent. */
  readonly method?: 'POST' | 'PUT';
  /** Only requests to this conversation. */
  readonly conversationId?: string;
  /** Sent as the Retry-After header: seconds or an HTTP date, as the connector does when it throttles. */
  readonly retryAfter?: string;
  /** Only activities this accepts. */
  readonly which?: ActivityFilter;
}

export interface FakeConnector {
  readonly url: string;
  /** The token service on the same origin (the bot's OAuthUrl in user mode). */
  readonly tokens: FakeTokenService;
  /** Everything the bot sent, typing indicators included, in order (empty when not keeping). */
  readonly received: RecordedActivity[];
  /** Messages with attachments (cards) received so far, kept or not. */
  cards(): number;
  /** Sent messages (not typing), with updates applied and deleted ones gone: what the chat would show. */
  messages(conversationId?: string): { id: string; activity: Record<string, unknown>; updates: number }[];
  /** Scripts a refusal; faults are matched in the order they were added. */
  fault(fault: ConnectorFault): void;
  /** Shorthand for {@link fault}: the next `times` requests matching `method` (and `which`) get `status`. */
  fail(method: 'POST' | 'PUT', status: number, times?: number, which?: ActivityFilter): void;
  /** Requests that reached the activities routes, refused ones included: what a retry layer costs (0 when not keeping). */
  attempts(filter?: { readonly conversationId?: string; readonly method?: 'POST' | 'PUT'; readonly which?: ActivityFilter }): number;
  /** Resolves when `predicate` holds for the recorded activities (checked on every arrival). */
  waitFor(predicate: (received: RecordedActivity[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Teams' streaming rules as the fake connector enforces them (see {@link startFakeConnector}). */
export interface StreamRules {
  /** A stream refuses every request this long after its first (403 ContentStreamNotAllowed). @default 120000 */
  readonly capMs?: number;
  /** An update sooner than this after the stream's previous request is throttled (429). @default 500 */
  readonly minIntervalMs?: number;
}

interface OpenStream {
  readonly conversationId: string;
  readonly startedAt: number;
  sequence: number;
  lastAt: number;
  ended: boolean;
}

const DEFAULT_STREAM_RULES = { capMs: 120_000, minIntervalMs: 500 } as const;

/**
 * Checks a stream request (an activity with a streaminfo entity) as Teams does; the refusal's
 * status and code, or undefined when it may pass. Updates the stream's record when it passes.
 */
function checkStream(
  streams: Map<string, OpenStream>,
  conversationId: string,
  activity: Record<string, unknown>,
  info: Record<string, unknown>,
  rules: Required<StreamRules>,
  now: number,
): { status: number; code: string } | undefined {
  const conversation = activity.conversation as { conversationType?: unknown } | undefined;
  if (conversation?.conversationType !== undefined && conversation.conversationType !== 'personal')
    return { status: 400, code: 'BadArgument' };
  const { streamId, streamType, streamSequence } = info;
  const final = streamType === 'final';
  if (final ? activity.type !== 'message' : activity.type !== 'typing' || (streamType !== 'informative' && streamType !== 'streaming'))
    return { status: 400, code: 'BadArgument' };
  if (streamId === undefined) {
    const open = [...streams.values()].some((o) => o.conversationId === conversationId && !o.ended && now - o.startedAt < rules.capMs);
    if (final || streamSequence !== 1 || open) return { status: 400, code: 'BadArgument' };
    return undefined;
  }
  const stream = typeof streamId === 'string' ? streams.get(streamId) : undefined;
  if (!stream || stream.conversationId !== conversationId) return { status: 400, code: 'BadArgument' };
  if (stream.ended || now - stream.startedAt >= rules.capMs) return { status: 403, code: 'ContentStreamNotAllowed' };
  if (!final && (typeof streamSequence !== 'number' || streamSequence <= stream.sequence)) return { status: 400, code: 'BadArgument' };
  if (now - stream.lastAt < rules.minIntervalMs) return { status: 429, code: 'Throttled' };
  if (final) stream.ended = true;
  else stream.sequence = streamSequence as number;
  stream.lastAt = now;
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

/**
 * A Bot Connector on 127.0.0.1 that records what the bot sends (the Bot Framework REST shapes:
 * POST /v3/conversations/{id}/activities[/{replyTo}], PUT and DELETE .../activities/{id}). A stand-in for
 * Teams' service in tests and benchmarks; the Agents Playground is the real client for people.
 * Streams (activities with a streaminfo entity) are held to Teams' rules: personal chats only, one
 * open stream per chat, sequence 1 first and increasing after, typing updates and a message final,
 * nothing after the final or past the cap (403), no update within `minIntervalMs` of the last (429).
 */
export async function startFakeConnector(
  options: { readonly keep?: boolean; readonly tokens?: FakeTokenServiceOptions; readonly streams?: StreamRules } = {},
): Promise<FakeConnector> {
  const keep = options.keep ?? true;
  const streamRules = { ...DEFAULT_STREAM_RULES, ...options.streams };
  const streams = new Map<string, OpenStream>();
  const received: RecordedActivity[] = [];
  let cards = 0;
  const faults: (ConnectorFault & { times: number })[] = [];
  // Every request to an activities route, refused or not (when keeping, like `received`).
  const arrivals: { method: 'POST' | 'PUT'; conversationId: string; activity: Record<string, unknown> }[] = [];
  const fault = (scripted: ConnectorFault): void => void faults.push({ ...scripted, times: scripted.times ?? 1 });
  const waiters = new Set<() => void>();
  const deleted = new Set<string>();
  let next = 0;
  const tokens = createFakeTokenService(options.tokens);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await tokens.handle(req, res, url)) return;
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    const method = req.method === 'PUT' ? 'PUT' : 'POST';
    if (!match || (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'DELETE')) {
      res.writeHead(404).end();
      return;
    }
    const conversationId = decodeURIComponent(match[1] ?? '');
    if (req.method === 'DELETE' && match[2]) {
      // The bot removing one of its messages (a status line an answer took the place of).
      deleted.add(decodeURIComponent(match[2]));
      res.writeHead(200).end();
      for (const wake of waiters) wake();
      return;
    }
    const activity = await readJson(req);
    if (keep) arrivals.push({ method, conversationId, activity });
    if (typeof activity.type !== 'string') {
      // As the real connector (and the Agents Playground's) does.
      res
        .writeHead(400, { 'Content-Type': 'application/json' })
        .end('{"error":{"code":"BadArgument","message":"Activity type is required"}}');
      return;
    }
    const refusal = faults.find(
      (f) =>
        f.times > 0 &&
        (f.method ?? method) === method &&
        (f.conversationId ?? conversationId) === conversationId &&
        (!f.which || f.which(activity)),
    );
    if (refusal) {
      refusal.times--;
      const headers = {
        'Content-Type': 'application/json',
        ...(refusal.retryAfter !== undefined ? { 'Retry-After': refusal.retryAfter } : {}),
      };
      res.writeHead(refusal.status, headers).end('{"error":{"code":"Throttled","message":"scripted"}}');
      return;
    }
    const targetId = match[2] ? decodeURIComponent(match[2]) : undefined;
    const now = Date.now();
    const info = method === 'POST' ? streamInfoOf(activity) : undefined;
    if (info) {
      const refused = checkStream(streams, conversationId, activity, info, streamRules, now);
      if (refused) {
        res.writeHead(refused.status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: refused.code } }));
        return;
      }
    }
    // A streamed message is one message: the stream's id is the first update's, and the final message keeps it.
    const streamId = typeof info?.streamId === 'string' ? info.streamId : undefined;
    const id = method === 'PUT' ? (targetId ?? '') : (streamId ?? `activity-${++next}`);
    if (info && streamId === undefined) streams.set(id, { conversationId, startedAt: now, sequence: 1, lastAt: now, ended: false });
    // Benchmarks (not keeping) forget ended streams, so memory stays flat; a request after the final then reads as an unknown stream (400).
    if (!keep && streamId !== undefined && info?.streamType === 'final') streams.delete(streamId);
    if (Array.isArray(activity.attachments)) cards++;
    // Benchmarks count without keeping, so the connector's memory does not grow with the run.
    if (keep) received.push({ method, conversationId, ...(targetId ? { targetId } : {}), id, activity, at: now });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id }));
    for (const wake of waiters) wake();
  };
  let url = '';
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokens,
    received,
    cards: () => cards,
    messages(conversationId) {
      const shown = new Map<string, { id: string; activity: Record<string, unknown>; updates: number }>();
      for (const r of received) {
        if (conversationId !== undefined && r.conversationId !== conversationId) continue;
        if (r.activity.type === 'typing') continue;
        if (r.method === 'POST') shown.set(r.id, { id: r.id, activity: r.activity, updates: 0 });
        else {
          const earlier = shown.get(r.id);
          if (earlier) shown.set(r.id, { id: r.id, activity: r.activity, updates: earlier.updates + 1 });
        }
      }
      return [...shown.values()].filter((m) => !deleted.has(m.id));
    },
    fault,
    fail: (method, status, times = 1, which) => fault({ method, status, times, ...(which ? { which } : {}) }),
    attempts: (filter = {}) =>
      arrivals.filter(
        (a) =>
          (filter.method ?? a.method) === a.method &&
          (filter.conversationId ?? a.conversationId) === a.conversationId &&
          (!filter.which || filter.which(a.activity)),
      ).length,
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (predicate(received)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`connector: condition not met within ${timeoutMs} ms (${received.length} activities received)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The streaminfo entity of an activity (Teams' streaming protocol), if it carries one. */
export function streamInfoOf(activity: Record<string, unknown>): Record<string, unknown> | undefined {
  const entities = Array.isArray(activity.entities) ? (activity.entities as unknown[]) : [];
  return entities.find((e): e is Record<string, unknown> => (e as { type?: unknown } | null)?.type === 'streaminfo');
}

/** A Teams-like message activity from a user, addressed to the dev host. */
export function userMessage(
  serviceUrl: string,
  text: string,
  options: {
    id?: string;
    conversationId?: string;
    userId?: string;
    /** The person's Entra object id (the gate's and the per-person rate's key). @default one fixed person */
    aadObjectId?: string;
    conversationType?: string;
    mentionBot?: boolean;
    value?: unknown;
  } = {},
): Record<string, unknown> {
  const bot = { id: '28:bot', name: 'Genie' };
  const mention = options.mentionBot ? `<at>${bot.name}</at> ` : '';
  return {
    type: 'message',
    id: options.id ?? `msg-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: options.userId ?? '29:user-1', name: 'Ada', aadObjectId: options.aadObjectId ?? '00000000-0000-0000-0000-0000000000a1' },
    recipient: bot,
    conversation: {
      id: options.conversationId ?? 'a:personal-chat-1',
      conversationType: options.conversationType ?? 'personal',
      tenantId: 'tenant-1',
    },
    text: `${mention}${text}`,
    ...(options.mentionBot ? { entities: [{ type: 'mention', text: `<at>${bot.name}</at>`, mentioned: bot }] } : {}),
    ...(options.value !== undefined ? { value: options.value } : {}),
    locale: 'en-US',
  };
}
