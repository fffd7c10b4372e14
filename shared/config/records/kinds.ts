/**
 * One record per setting: its name, kind, default, range or choices and doc sentence. The loader reads
 * values through these records and the docs table is generated from them, so each fact is written once.
 */

/** `required`: the app cannot answer without it; `conditional`: required in some setups (see the doc sentence). */
export type Need = 'required' | 'conditional' | 'optional';

interface SettingBase<T, D extends T | undefined> {
  readonly name: string;
  readonly need: Need;
  /** One sentence for the docs table. */
  readonly doc: string;
  /** The value when the setting is absent or blank. */
  readonly default: D;
  /** A default that depends on other settings or the environment, in words; the loader applies it. */
  readonly defaultNote?: string;
  /** What a valid value looks like: in problem reports and the docs. Never contains a value. */
  readonly expected: string;
  /** The value of a present setting, or undefined when it is invalid. */
  readonly parse: (text: string) => T | undefined;
}

/** Free text; `secret` values are never echoed in problems, logs or health output. */
export interface TextSetting<D extends string | undefined = string | undefined> extends SettingBase<string, D> {
  readonly kind: 'text' | 'secret';
}
export interface NumberSetting extends SettingBase<number, number> {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}
export interface BooleanSetting extends SettingBase<boolean, boolean> {
  readonly kind: 'boolean';
}
export interface ChoiceSetting<C extends string = string, D extends C | undefined = C | undefined> extends SettingBase<C, D> {
  readonly kind: 'choice';
  readonly choices: readonly C[];
}
/** An http(s) URL; plain http only for loopback hosts (emulators, local key servers). */
export interface UrlSetting extends SettingBase<string, undefined> {
  readonly kind: 'url';
}
export interface ListSetting extends SettingBase<readonly string[], readonly string[]> {
  readonly kind: 'list';
  readonly separator: string;
}

export type AnySetting = TextSetting | NumberSetting | BooleanSetting | ChoiceSetting | UrlSetting | ListSetting;

/** What a record reads as: its value type, or undefined too when it has no default. */
export type SettingValue<S> = S extends SettingBase<infer T, infer D> ? T | D : never;

interface Describe {
  readonly name: string;
  readonly need?: Need;
  readonly doc: string;
  readonly defaultNote?: string;
}

interface TextSpec<D extends string | undefined> extends Describe {
  readonly default?: D;
  /** What a valid value looks like, when `check` is given or the setting is required. */
  readonly expected?: string;
  readonly check?: (value: string) => boolean;
}

function textRecord<D extends string | undefined>(kind: 'text' | 'secret', spec: TextSpec<D>): TextSetting<D> {
  const { check, default: fallback, ...rest } = spec;
  const parse = (v: string): string | undefined => (!check || check(v) ? v : undefined);
  return { need: 'optional', expected: kind === 'secret' ? 'a secret value' : 'text', ...rest, kind, default: fallback as D, parse };
}

export function text<D extends string | undefined = undefined>(spec: TextSpec<D>): TextSetting<D> {
  return textRecord('text', spec);
}

export function secret<D extends string | undefined = undefined>(spec: TextSpec<D>): TextSetting<D> {
  return textRecord('secret', spec);
}

export function number(
  spec: Describe & { readonly default: number; readonly min: number; readonly max: number; readonly integer?: boolean },
): NumberSetting {
  const integer = spec.integer ?? false;
  const inRange = (n: number): boolean => Number.isFinite(n) && n >= spec.min && n <= spec.max && (!integer || Number.isInteger(n));
  return {
    need: 'optional',
    ...spec,
    kind: 'number',
    integer,
    expected: `${integer ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max}`,
    parse: (v) => (inRange(Number(v)) ? Number(v) : undefined),
  };
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

export function boolean(spec: Describe & { readonly default: boolean }): BooleanSetting {
  const parse = (v: string): boolean | undefined =>
    TRUE.includes(v.toLowerCase()) ? true : FALSE.includes(v.toLowerCase()) ? false : undefined;
  return { need: 'optional', ...spec, kind: 'boolean', expected: 'true or false', parse };
}

/** One of `choices`, matched case-insensitively and read in the spelling of `choices`. */
export function choice<const C extends string, D extends C | undefined = undefined>(
  spec: Describe & { readonly choices: readonly C[]; readonly default?: D },
): ChoiceSetting<C, D> {
  const { default: fallback, ...rest } = spec;
  return {
    need: 'optional',
    ...rest,
    kind: 'choice',
    default: fallback as D,
    expected: `one of ${spec.choices.join(', ')}`,
    parse: (v) => spec.choices.find((c) => c.toLowerCase() === v.toLowerCase()),
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * `origin`: a bare host name means https, and the value is read as the URL's origin (a workspace URL
 * pasted with a path still works).
 */
export function url(spec: Describe & { readonly expected: string; readonly origin?: boolean }): UrlSetting {
  const { origin, ...rest } = spec;
  const parse = (v: string): string | undefined => {
    const text = origin && !/^[a-z]+:\/\//i.test(v) ? `https://${v}` : v;
    const parsed = URL.canParse(text) ? new URL(text) : undefined;
    const allowed = parsed && (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopback(parsed.hostname)));
    return allowed ? (origin ? parsed.origin : v) : undefined;
  };
  return { need: 'optional', ...rest, kind: 'url', default: undefined, parse };
}

/** Items separated by `separator`, trimmed, blanks dropped. */
export function list(
  spec: Describe & {
    readonly separator: string;
    readonly default?: readonly string[];
    /** What each item must look like, and its name in problem reports (e.g. "Entra tenant ids (GUIDs)"). */
    readonly item?: { readonly pattern: RegExp; readonly what: string };
    readonly maxItems?: number;
    /** Items compared case-insensitively are kept lower-case. */
    readonly lowerCase?: boolean;
  },
): ListSetting {
  const { default: fallback = [], item, maxItems, lowerCase, ...rest } = spec;
  const parse = (v: string): string[] | undefined => {
    const items = v
      .split(spec.separator)
      .map((entry) => (lowerCase ? entry.trim().toLowerCase() : entry.trim()))
      .filter(Boolean);
    if (item && (!items.length || !items.every((entry) => item.pattern.test(entry)))) return undefined;
    return maxItems !== undefined && items.length > maxItems ? undefined : items;
  };
  const what = item ? `${item.what}` : 'items';
  const most = maxItems !== undefined ? ` (at most ${maxItems})` : '';
  return { need: 'optional', ...rest, kind: 'list', default: fallback, expected: `${what} separated by "${spec.separator}"${most}`, parse };
}
