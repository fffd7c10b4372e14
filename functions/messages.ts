import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { ConfigError } from '../shared/config';
import { errorResponse, jsonResponse, MAX_WEBHOOK_BODY_BYTES, registerHttp } from '../shared/hosting';

/** POST /api/messages — the Bot Framework webhook. Acknowledges at once; answers come from the worker. */
export async function messages(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const started = performance.now();
  // Refused before reading: the declared size is enough (the webhook checks the real one too).
  if (Number(request.headers.get('content-length') ?? 0) > MAX_WEBHOOK_BODY_BYTES)
    return errorResponse(request, 413, 'the body is larger than 256 KB');
  // Loaded on first use: botbuilder and the rest never slow down start-up or the health check.
  const { receiveActivity } = await import('../shared/app/index.js');
  try {
    // The body is read only once the headers passed (no bearer token where one is needed: no read).
    const body = async (): Promise<Buffer> => Buffer.from(await request.arrayBuffer());
    const result = await receiveActivity({ method: request.method, headers: Object.fromEntries(request.headers), body }, started);
    if (result.body === undefined) return { status: result.status, ...(result.headers ? { headers: result.headers } : {}) };
    return await jsonResponse(request, result.status, result.body, result.headers);
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    context.error(`configuration incomplete: ${error.problems.map((p) => p.setting).join(', ')}`);
    return errorResponse(request, 503, 'the bot is not configured yet; see /api/health');
  }
}

export const messagesFunction = registerHttp({
  name: 'messages',
  route: 'messages',
  // Every method reaches the handler, so a wrong one gets a 405 with a reason rather than a bare 404.
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  handler: messages,
});
