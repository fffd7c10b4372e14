import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { describeHealth } from '../shared/health';
import { jsonResponse, registerHttp } from '../shared/hosting';

/** GET /api/health — anonymous liveness and configuration check for probes and people. */
export async function health(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const report = describeHealth();
  return jsonResponse(request, report.config.complete ? 200 : 503, report, { 'Cache-Control': 'no-store' });
}

export const healthFunction = registerHttp({
  name: 'health',
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: health,
});
