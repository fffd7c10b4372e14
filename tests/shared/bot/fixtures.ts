import { after, before } from 'node:test';

import type { Activity } from 'botbuilder';

import type { FakeConnector } from '../../../dev/fake-connector';
import { type GenieEmulator, type GenieEmulatorOptions, startGenieEmulator } from '../../../dev/genie-emulator';
import type { ConversationSender } from '../../../shared/bot';
import { type AppConfig, loadConfig } from '../../../shared/config';
import { GenieClient, patTokenSource } from '../../../shared/genie';
import { KeepAliveHttpClient } from '../../../shared/http';
import { type Clock, ManualClock } from '../../../shared/runtime';
import { type BotState, createBotState, createMemoryStores, type StoredReference } from '../../../shared/state';
import { createLogger, type Logger, Telemetry } from '../../../shared/telemetry';
import { TEST_ENV } from '../../helpers/env';

/** The configuration the bot's unit tests run with: TEST_ENV plus `env`, read the way the app reads it. */
export function testConfig(env: Readonly<Record<string, string>> = {}): AppConfig {
  const result = loadConfig({ ...TEST_ENV, ...env });
  if (!result.ok) throw new Error(`test configuration refused: ${result.problems.map((p) => p.setting).join(', ')}`);
  return result.config;
}

/** A conversation reference as the worker stores it, pointing at the fake connector. */
export function referenceTo(connector: FakeConnector, conversationId: string): Record<string, unknown> {
  return {
    serviceUrl: connector.url,
    channelId: 'msteams',
    conversation: { id: conversationId },
    bot: { id: '28:bot' },
    user: { id: '29:user-1' },
  };
}

/** In-memory state on `clock`, as the dev host builds it. */
export function memoryState(config: AppConfig, clock: Clock): BotState {
  return createBotState(createMemoryStores(1_000, clock), config, clock);
}

/** A logger that keeps its lines (event names are asserted, never printed). */
export function recordingLogger(): Logger & { readonly events: () => string[] } {
  const lines: string[] = [];
  const logger = createLogger('debug', (_level, line) => lines.push(line));
  return Object.assign(logger, { events: () => lines.map((line) => (JSON.parse(line) as { event: string }).event) });
}

export function quietTelemetry(logger: Logger, clock: Clock): Telemetry {
  return new Telemetry({ logger, clock, random: () => 1 });
}

export interface SentActivity {
  readonly kind: 'send' | 'update';
  readonly reference: StoredReference;
  readonly activity: Partial<Activity>;
  readonly activityId?: string;
}

/**
 * The sender the bot and worker take (our interface), recording what reaches the chat. Failures
 * and a hold are scripted per call; typing indicators are recorded apart so tests count messages.
 */
export class RecordingSender implements ConversationSender {
  readonly messages: SentActivity[] = [];
  typing = 0;
  private failures: Error[] = [];
  private gate?: Promise<void>;
  private next = 0;

  /** The next `times` message sends and updates fail with `error`. */
  failNext(error: Error, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(error);
  }

  /** The next message send or update waits until the returned function is called; later ones do not. */
  holdNext(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return release;
  }

  send(reference: StoredReference, activity: Partial<Activity>): Promise<string | undefined> {
    if (activity.type === 'typing') {
      this.typing++;
      return Promise.resolve(undefined);
    }
    return this.deliver({ kind: 'send', reference, activity }).then(() => `sent-${++this.next}`);
  }

  update(reference: StoredReference, activityId: string, activity: Partial<Activity>): Promise<void> {
    return this.deliver({ kind: 'update', reference, activity, activityId });
  }

  /** Deletions are recorded apart: they change no answer a test counts. */
  readonly deleted: string[] = [];

  delete(_reference: StoredReference, activityId: string): Promise<void> {
    this.deleted.push(activityId);
    return Promise.resolve();
  }

  private async deliver(sent: SentActivity): Promise<void> {
    const gate = this.gate;
    this.gate = undefined;
    await gate;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.messages.push(sent);
  }
}

/** The Genie emulator on a manual clock shared with the code under test, started once per suite. */
export interface EmulatedGenie {
  readonly clock: ManualClock;
  readonly genie: GenieEmulator;
  readonly http: KeepAliveHttpClient;
}

/**
 * Registers the suite's before/after: one clock for the worker, its state and the emulator, so
 * Genie's "seconds" pass as the worker polls. Read the fields inside tests (they exist after `before`).
 */
export function useEmulatedGenie(options: GenieEmulatorOptions = {}): EmulatedGenie {
  const handle = {} as { clock: ManualClock; genie: GenieEmulator; http: KeepAliveHttpClient };
  before(async () => {
    handle.clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
    handle.genie = await startGenieEmulator({ now: () => handle.clock.now(), demo: false, ...options });
    handle.http = new KeepAliveHttpClient(testConfig().http);
  });
  after(async () => {
    handle.http.destroy();
    await handle.genie.close();
  });
  return handle;
}

/** A Genie client of the emulated workspace, on its clock, with the service's token. */
export function emulatedClient({ genie, http, clock }: EmulatedGenie): GenieClient {
  return new GenieClient({ host: genie.url, spaceId: genie.spaceId, http, tokens: patTokenSource(genie.token), clock, random: () => 0.5 });
}
