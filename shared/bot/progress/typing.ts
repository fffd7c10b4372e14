import type { JobValue } from '../../state';
import type { Logger } from '../../telemetry';
import type { ConversationSender } from '../adapter';
import { errorCode } from '../error-code';

/**
 * Typing indicators while Genie works (Teams shows each for a few seconds). The webhook sent the
 * first one; the worker keeps it going.
 */
export function keepTyping(
  deps: { readonly sender: ConversationSender; readonly logger: Logger; readonly typingIntervalMs?: number },
  reference: JobValue['reference'],
): () => void {
  const send = (): void => {
    deps.sender.send(reference, { type: 'typing' }, { retry: false }).catch((error: unknown) => {
      deps.logger.debug('typing.failed', { error: errorCode(error) });
    });
  };
  const timer = setInterval(send, deps.typingIntervalMs ?? 3_000);
  timer.unref();
  return () => clearInterval(timer);
}
