import type { InvocationContext, Timer } from '@azure/functions';

import { registerTimer } from '../shared/hosting';

/** Every 5 minutes: expired sessions (and their Genie conversations), de-dup keys and finished jobs go. */
export async function sweep(_timer: Timer, _context: InvocationContext): Promise<void> {
  const app = await import('../shared/app/index.js');
  await app.sweep();
}

export const sweepFunction = registerTimer({
  name: 'sweep',
  schedule: '0 */5 * * * *',
  handler: sweep,
});
