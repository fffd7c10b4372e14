import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { ConfigError } from '../shared/config';
import { errorResponse, jsonResponse, registerHttp } from '../shared/hosting';

/** GET /api/metrics — this instance's figures, behind a function key. */
export async function metrics(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { metricsSnapshot } = await import('../shared/app/index.js');
  try {
    return await jsonResponse(request, 200, await metricsSnapshot(context.invocationId), { 'Cache-Control': 'no-store' });
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    return errorResponse(request, 503, 'the bot is not configured yet; see /api/health');
  }
}

export const metricsFunction = registerHttp({
  name: 'metrics',
  route: 'metrics',
  methods: ['GET'],
  authLevel: 'function',
  handler: metrics,
});
