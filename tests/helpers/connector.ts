import { type IncomingMessage, type ServerResponse } from 'node:http';

import { type LoopbackServer, startLoopbackServer } from './servers';

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

export interface FakeConnector {
  readonly url: string;
  readonly server: LoopbackServer;
  /** Everything the bot sent, typing indicators included, in order. */
  readonly received: RecordedActivity[];
  /** Sent messages (not typing), with updates applied: what the chat would show. */
  messages(conversationId?: string): { id: string; activity: Record<string, unknown>; updates: number }[];
  /** Answers the next `times` requests matching `method` (and `which`, when given) with `status`. */
  fail(method: 'POST' | 'PUT', status: number, times?: number, which?: (activity: Record<string, unknown>) => boolean): void;
  /** Resolves when `predicate` holds for the recorded activities (checked on every arrival). */
  waitFor(predicate: (received: RecordedActivity[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

/**
 * A Bot Connector on loopback that records what the bot sends (the Bot Framework REST shapes:
 * POST /v3/conversations/{id}/activities[/{replyTo}], PUT .../activities/{id}).
 */
export async function startFakeConnector(): Promise<FakeConnector> {
  const received: RecordedActivity[] = [];
  const failures: { method: string; status: number; times: number; which?: (activity: Record<string, unknown>) => boolean }[] = [];
  const waiters = new Set<() => void>();
  let next = 0;
  const server = await startLoopbackServer(async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    const method = req.method === 'PUT' ? 'PUT' : 'POST';
    if (!match || (req.method !== 'POST' && req.method !== 'PUT')) {
      res.writeHead(404).end();
      return;
    }
    const activity = await readJson(req);
    const failure = failures.find((f) => f.method === method && f.times > 0 && (!f.which || f.which(activity)));
    if (failure) {
      failure.times--;
      res.writeHead(failure.status, { 'Content-Type': 'application/json' }).end('{"error":{"code":"Throttled","message":"scripted"}}');
      return;
    }
    const conversationId = decodeURIComponent(match[1] ?? '');
    const targetId = match[2] ? decodeURIComponent(match[2]) : undefined;
    const id = method === 'PUT' ? (targetId ?? '') : `activity-${++next}`;
    received.push({ method, conversationId, ...(targetId ? { targetId } : {}), id, activity, at: Date.now() });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id }));
    for (const wake of waiters) wake();
  });
  return {
    url: server.url,
    server,
    received,
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
      return [...shown.values()];
    },
    fail(method, status, times = 1, which) {
      failures.push({ method, status, times, ...(which ? { which } : {}) });
    },
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
    close: () => server.close(),
  };
}

/** A Teams-like message activity from a user, addressed to the dev host. */
export function userMessage(
  serviceUrl: string,
  text: string,
  options: { id?: string; conversationId?: string; userId?: string; conversationType?: string; mentionBot?: boolean; value?: unknown } = {},
): Record<string, unknown> {
  const bot = { id: '28:bot', name: 'Genie' };
  const mention = options.mentionBot ? `<at>${bot.name}</at> ` : '';
  return {
    type: 'message',
    id: options.id ?? `msg-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: options.userId ?? '29:user-1', name: 'Ada', aadObjectId: '00000000-0000-0000-0000-0000000000a1' },
    recipient: bot,
    conversation: { id: options.conversationId ?? 'a:personal-chat-1', conversationType: options.conversationType ?? 'personal', tenantId: 'tenant-1' },
    text: `${mention}${text}`,
    ...(options.mentionBot ? { entities: [{ type: 'mention', text: `<at>${bot.name}</at>`, mentioned: bot }] } : {}),
    ...(options.value !== undefined ? { value: options.value } : {}),
    locale: 'en-US',
  };
}
