import type { AppConfig } from '../../config';
import type { Messages } from '../../i18n';
import type { Clock } from '../../runtime';
import type { Logger } from '../../telemetry';
import type { ConversationSender } from '../adapter';
import type { JobHandle } from '../job-handle';
import { scheduleStatusLine, type StatusLine } from './status-line';
import type { ProgressStreams } from './stream';
import { keepTyping } from './typing';

/** What Genie is doing, in the asker's words; other statuses (new or renamed ones) read as "looking at your data". */
const STATUS_TEXT = {
  SUBMITTED: 'status.findingTables',
  FETCHING_METADATA: 'status.findingTables',
  FILTERING_CONTEXT: 'status.findingTables',
  ASKING_AI: 'status.writingQuery',
  PENDING_WAREHOUSE: 'status.runningQuery',
  EXECUTING_QUERY: 'status.runningQuery',
} as const;

function statusKeyOf(status: string): (typeof STATUS_TEXT)[keyof typeof STATUS_TEXT] | 'status.looking' {
  return Object.hasOwn(STATUS_TEXT, status) ? STATUS_TEXT[status as keyof typeof STATUS_TEXT] : 'status.looking';
}

export interface ProgressDisplayDependencies {
  readonly config: Pick<AppConfig, 'answers'>;
  readonly sender: ConversationSender;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly streams: ProgressStreams;
  /** Typing indicator repeat. @default 3000 */
  readonly typingIntervalMs?: number;
}

export interface ProgressDisplay {
  /** Genie's status changed (see AskOptions.onStatus). */
  readonly onStatus: (status: string) => void;
  /** Stops every update and waits for one in flight, so the reply sees the stream's or status line's latest record. */
  stop(): Promise<void>;
}

/**
 * What the asker sees while Genie works on their question. Personal chats with streaming on: Genie's
 * statuses as informative stream updates (the latest text wins, at most one a second). Elsewhere,
 * or once a stream is refused: typing, then the status line after the configured delay, as before.
 */
export function showProgress(deps: ProgressDisplayDependencies, job: JobHandle, messages: Messages): ProgressDisplay {
  const stopTyping = keepTyping(deps, job.value.reference);
  // Once the status line is up it tells the user we are on it: typing can stop.
  const statusLine = (): StatusLine => scheduleStatusLine(deps, job, messages.text('status.looking'), stopTyping);
  if (!deps.streams.streams(job.value)) {
    const status = statusLine();
    return {
      onStatus: () => undefined,
      stop: async () => {
        stopTyping();
        await status.cancel();
      },
    };
  }

  let wanted: string | undefined;
  let shown: string | undefined;
  let sending: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let capTimer: NodeJS.Timeout | undefined;
  let fallback: StatusLine | undefined;
  let stopped = false;

  const later = (at: number, run: () => void): NodeJS.Timeout => {
    const handle = setTimeout(run, Math.max(0, at - deps.clock.now()));
    handle.unref();
    return handle;
  };
  const pump = (): void => {
    if (stopped || sending || fallback || wanted === undefined || wanted === shown) return;
    const at = deps.streams.nextUpdateAt(job.value);
    if (at > deps.clock.now()) {
      timer ??= later(at, () => {
        timer = undefined;
        pump();
      });
      return;
    }
    const text = wanted;
    sending = (async () => {
      const streamed = await deps.streams.inform(job, text);
      sending = undefined;
      if (!streamed) {
        fallback = statusLine();
        return;
      }
      shown = text;
      stopTyping();
      const endBy = deps.streams.endBy(job.value);
      // Genie may hold one status past the cap: the stream must end before Teams ends it.
      if (endBy !== undefined && !capTimer && !job.value.stream?.over) {
        capTimer = later(endBy, () => {
          shown = undefined;
          pump();
        });
      }
      pump();
    })();
  };

  return {
    onStatus: (status) => {
      wanted = messages.text(statusKeyOf(status));
      pump();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(capTimer);
      stopTyping();
      await sending;
      await fallback?.cancel();
    },
  };
}
