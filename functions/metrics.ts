import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { jsonResponse, registerHttp } from '../shared/hosting';

/** GET /api/metrics — this instance's figures, behind a function key. */
export async function metrics(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { metricsSnapshot } = await import('../shared/app/index.js');
  return jsonResponse(request, 200, await metricsSnapshot(context.invocationId), { 'Cache-Control': 'no-store' });
}

export const metricsFunction = registerHttp({
  name: 'metrics',
  route: 'metrics',
  methods: ['GET'],
  authLevel: 'function',
  handler: metrics,
});
