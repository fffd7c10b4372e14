import { IntlMessageFormat } from 'intl-messageformat';

import type { Catalog, Command, MessageKey } from './catalog';
import { enUS } from './en-US';
import { type Locale, LOCALES } from './locales';
import { zhCN } from './zh-CN';
import { zhTW } from './zh-TW';

export type { Catalog, Command, MessageKey } from './catalog';

/** One catalog per language the bot speaks. Adding a language is one catalog file, one line here and one in locales.ts. */
export const CATALOGS: Readonly<Record<Locale, Catalog>> = { 'en-US': enUS, 'zh-TW': zhTW, 'zh-CN': zhCN };

export { type Locale, LOCALES } from './locales';

export type MessageValues = Readonly<Record<string, string | number>>;

/** What the bot says, in one language. */
export interface Messages {
  readonly locale: Locale;
  /** The message with its placeholders filled; `{help}`, `{new}`, `{spaces}` and `{use}` are this language's command words. */
  text(key: MessageKey, values?: MessageValues): string;
}

class CatalogMessages implements Messages {
  // Parsed once per message and language, on first use: parsing is the expensive part.
  private readonly compiled = new Map<MessageKey, IntlMessageFormat>();
  private readonly commandValues: MessageValues;

  constructor(
    readonly locale: Locale,
    private readonly catalog: Catalog,
  ) {
    const word = (command: Command): string => catalog.commands[command][0] ?? command;
    this.commandValues = { help: word('help'), new: word('new'), spaces: word('spaces'), use: word('use') };
  }

  text(key: MessageKey, values: MessageValues = {}): string {
    let format = this.compiled.get(key);
    if (!format) {
      format = new IntlMessageFormat(this.catalog.messages[key], this.locale);
      this.compiled.set(key, format);
    }
    return format.format<string>({ ...this.commandValues, ...values }) as string;
  }
}

const byLocale = new Map<Locale, Messages>(LOCALES.map((locale) => [locale, new CatalogMessages(locale, CATALOGS[locale])]));

export function messagesFor(locale: Locale): Messages {
  return byLocale.get(locale)!;
}

function maximized(tag: string): Intl.Locale | undefined {
  try {
    // Likely subtags: zh-HK → zh-Hant-HK, zh-SG → zh-Hans-SG, zh → zh-Hans-CN, en-GB → en-Latn-GB.
    return new Intl.Locale(tag.trim().replace(/_/g, '-')).maximize();
  } catch {
    return undefined;
  }
}

const SHIPPED = LOCALES.map((locale) => ({ locale, tags: maximized(locale)! }));

/**
 * The shipped language closest to a requested locale (Teams sends e.g. `zh-TW`, `zh-tw`, `en-US`):
 * the same locale, else the same language and script (so zh-HK, zh-MO and zh-Hant read zh-TW;
 * zh-SG, zh-Hans and zh read zh-CN; en-GB reads en-US), else the same language. Undefined when
 * the bot does not speak the language at all.
 */
export function matchLocale(requested: string | undefined): Locale | undefined {
  const wanted = requested ? maximized(requested) : undefined;
  if (!wanted) return undefined;
  const sameLanguage = SHIPPED.filter(({ tags }) => tags.language === wanted.language);
  const sameScript = sameLanguage.filter(({ tags }) => tags.script === wanted.script);
  return (sameScript.find(({ tags }) => tags.region === wanted.region) ?? sameScript[0] ?? sameLanguage[0])?.locale;
}

/** The language to answer in: the requested locale's closest match, else `fallback` (the DEFAULT_LOCALE setting). */
export function resolveLocale(requested: string | undefined, fallback: Locale): Locale {
  return matchLocale(requested) ?? fallback;
}

const COMMANDS = new Map<string, Command>(
  Object.values(CATALOGS).flatMap((catalog: Catalog) =>
    (Object.entries(catalog.commands) as [Command, readonly string[]][]).flatMap(([command, words]) =>
      words.map((word) => [word.toLowerCase(), command] as const),
    ),
  ),
);

/** Every word of `command` in every shipped language, longest first (lower-case). */
export function commandWords(command: Command): string[] {
  const words = Object.values(CATALOGS).flatMap((catalog: Catalog) => catalog.commands[command].map((word) => word.toLowerCase()));
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

/** The command a (normalized, lower-case) word names, in any shipped language: a zh-TW user may still type `help`. */
export function commandNamed(word: string): Command | undefined {
  return COMMANDS.get(word);
}
