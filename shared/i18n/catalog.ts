import type { enUS } from './en-US';

/** A message key: every key of the source (en-US) catalog. */
export type MessageKey = keyof (typeof enUS)['messages'];

/** The commands the bot understands; each language lists its words for them. */
export type Command = keyof (typeof enUS)['commands'];

/** One language: every message (a missing or extra key fails to compile) and its command words. */
export interface Catalog {
  readonly commands: Readonly<Record<Command, readonly string[]>>;
  readonly messages: Readonly<Record<MessageKey, string>>;
}
