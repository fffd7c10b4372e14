import type { Activity } from 'botbuilder';

import type { AppConfig } from '../../config';
import type { Clock } from '../../runtime';
import type { JobValue, ProgressStreamRecord } from '../../state';
import type { Logger } from '../../telemetry';
import { connectorStatus, type ConversationSender } from '../adapter';
import { errorCode } from '../error-code';
import type { JobHandle } from '../job-handle';

/** Teams ends a stream this long after its first update (later requests: 403 ContentStreamNotAllowed). */
export const STREAM_CAP_MS = 2 * 60_000;
/** Our streams end this long before Teams' cap, so their final message still gets through. */
export const STREAM_CAP_MARGIN_MS = 15_000;
/** Teams takes about one stream request a second (429 beyond). */
export const STREAM_UPDATE_INTERVAL_MS = 1_000;

type StreamType = 'informative' | 'streaming' | 'final';

/** Teams' stream entity: the first update has no id (its POST answers with one); the final has no sequence. */
function streamInfo(streamType: StreamType, streamId?: string, streamSequence?: number): { type: string; [field: string]: unknown } {
  return {
    type: 'streaminfo',
    streamType,
    ...(streamId !== undefined ? { streamId } : {}),
    ...(streamSequence !== undefined ? { streamSequence } : {}),
  };
}

export interface ProgressStreamDependencies {
  readonly config: Pick<AppConfig, 'answers'>;
  readonly sender: ConversationSender;
  readonly logger: Logger;
  readonly clock: Clock;
}

/**
 * Teams' streaming protocol for one question's progress in a personal chat: informative updates
 * (typing activities with a streaminfo entity, one stream id, sequence 1, 2, …, at most one a
 * second), then the reply as the stream's final message. The stream is recorded on the job, so a
 * retried attempt (or the poison path) continues it with the next sequence number, or ends it.
 * A refused request ends streaming for the question for good (Teams streams cannot be restarted):
 * the caller falls back to the status line and a normal message. Near Teams' 2-minute cap the
 * stream is ended with the current progress text as its final message, which then serves as the
 * status line the reply replaces.
 */
export class ProgressStreams {
  constructor(private readonly deps: ProgressStreamDependencies) {}

  /** Whether this job's progress goes into a stream: a personal chat, streaming on, and no stream that is over. */
  streams(job: JobValue): boolean {
    const conversation = job.reference.conversation as { conversationType?: unknown } | undefined;
    return this.deps.config.answers.streamProgress && conversation?.conversationType === 'personal' && !job.stream?.over;
  }

  /** When the next stream request may go (a second after the last, whichever attempt sent it). */
  nextUpdateAt(job: JobValue): number {
    return (job.stream?.lastAt ?? -Infinity) + STREAM_UPDATE_INTERVAL_MS;
  }

  /** When the stream must end to stay inside Teams' cap (undefined before it started). */
  endBy(job: JobValue): number | undefined {
    return job.stream?.id !== undefined ? job.stream.startedAt + STREAM_CAP_MS - STREAM_CAP_MARGIN_MS : undefined;
  }

  /**
   * Shows `text` as an informative update (the first one starts the stream); past {@link endBy} the
   * stream ends with `text` as its final message, recorded as the status line. False when the text
   * is not shown that way: not streaming, or the stream was refused (it is over; the caller falls back).
   */
  async inform(job: JobHandle, text: string): Promise<boolean> {
    if (!this.streams(job.value)) return false;
    await this.paced(job.value);
    const now = this.deps.clock.now();
    const endBy = this.endBy(job.value);
    if (endBy !== undefined && now >= endBy) return this.endAsStatusLine(job, text);
    const recorded = job.value.stream;
    const sequence = (recorded?.sequence ?? 0) + 1;
    try {
      if (recorded?.id !== undefined) {
        // The number is taken before sending: a retry after a crash never sends the same one twice.
        await job.update({ stream: { ...recorded, sequence, lastAt: now } });
        await this.send(job.value, { type: 'typing', text, entities: [streamInfo('informative', recorded.id, sequence)] });
      } else {
        const id = await this.send(job.value, { type: 'typing', text, entities: [streamInfo('informative', undefined, 1)] });
        if (!id) throw new Error('the stream got no id');
        await job.update({ stream: { id, startedAt: now, sequence: 1, lastAt: now } });
      }
      return true;
    } catch (error: unknown) {
      this.deps.logger.warn('stream.refused', { job: job.value.id, sequence, error: errorCode(error) });
      await this.markOver(job, now);
      return false;
    }
  }

  /**
   * Ends the job's open stream with `activity` as its final message (attachments, the AI label and
   * feedback buttons belong there). Resolves with the message's id, or undefined when there is no
   * open stream or Teams refused the final (4xx): the caller sends a normal message. Other failures
   * are thrown, so the reply is retried into the same stream.
   */
  async finish(job: JobValue, activity: Partial<Activity>): Promise<string | undefined> {
    const stream = job.stream;
    if (stream?.id === undefined || stream.over) return undefined;
    await this.paced(job);
    if (this.deps.clock.now() >= stream.startedAt + STREAM_CAP_MS) return undefined;
    try {
      const final = { type: 'message', ...activity, entities: [...(activity.entities ?? []), streamInfo('final', stream.id)] };
      // The streamed message is one message: its id is the stream's when the channel names none.
      return (await this.deps.sender.send(job.reference, final)) || stream.id;
    } catch (error: unknown) {
      const status = connectorStatus(error);
      if (status === undefined || status < 400 || status >= 500) throw error;
      this.deps.logger.warn('stream.final_refused', { job: job.id, error: errorCode(error) });
      return undefined;
    }
  }

  /** Near the cap: the stream ends with `text`; that message is the status line from now on. */
  private async endAsStatusLine(job: JobHandle, text: string): Promise<boolean> {
    const now = this.deps.clock.now();
    let id: string | undefined;
    try {
      id = await this.finish(job.value, { text });
    } catch (error: unknown) {
      this.deps.logger.warn('stream.end_failed', { job: job.value.id, error: errorCode(error) });
    }
    await this.markOver(job, now, id);
    return id !== undefined;
  }

  private async markOver(job: JobHandle, now: number, statusActivityId?: string): Promise<void> {
    const stream: ProgressStreamRecord = { startedAt: now, sequence: 0, lastAt: now, ...job.value.stream, over: true };
    await job.update({ stream, ...(statusActivityId ? { statusActivityId } : {}) }).catch((error: unknown) => {
      this.deps.logger.warn('stream.record_failed', { job: job.value.id, error: errorCode(error) });
    });
  }

  /** Waits out the one-a-second pace (the display paces itself; the admission's notices and the reply may come sooner). */
  private async paced(job: JobValue): Promise<void> {
    const wait = this.nextUpdateAt(job) - this.deps.clock.now();
    if (wait > 0) await this.deps.clock.sleep(wait);
  }

  /** Stream requests are not retried: a refused one ends the stream (Teams allows no restart). */
  private send(job: JobValue, activity: Partial<Activity>): Promise<string | undefined> {
    return this.deps.sender.send(job.reference, activity, { retry: false });
  }
}
