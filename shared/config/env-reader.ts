import type { AnySetting, SettingValue, TextSetting, UrlSetting } from './records';

export interface ConfigProblem {
  readonly setting: string;
  readonly kind: 'missing' | 'invalid';
  /** What a valid value looks like; never contains the value of a secret. */
  readonly expected: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A setting record, or the bare name of a variant documented under another one (AzureWebJobsStorage__…). */
type SettingRef = AnySetting | string;

/** Reads settings through their records and collects every problem instead of stopping at the first. */
export class EnvReader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly env: Env) {}

  /** The trimmed text, or undefined when absent or blank. */
  raw(setting: SettingRef): string | undefined {
    const value = this.env[nameOf(setting)]?.trim();
    return value ? value : undefined;
  }

  has(setting: SettingRef): boolean {
    return this.raw(setting) !== undefined;
  }

  /** The parsed value; the record's default when absent, and (reported) when invalid. */
  get<S extends AnySetting>(setting: S): SettingValue<S> {
    const text = this.raw(setting);
    if (text === undefined) return setting.default as SettingValue<S>;
    const value = setting.parse(text);
    if (value === undefined) {
      this.invalid(setting);
      return setting.default as SettingValue<S>;
    }
    return value as SettingValue<S>;
  }

  /** Like {@link get}, but absence is a problem; `because` says in which setup it is required. */
  required(setting: TextSetting | UrlSetting, because?: string): string {
    if (!this.has(setting)) this.missing(setting, because ? `${setting.expected} (${because})` : setting.expected);
    return this.get(setting) ?? '';
  }

  missing(setting: SettingRef, expected: string): void {
    this.problems.push({ setting: nameOf(setting), kind: 'missing', expected });
  }

  /** Echoes the value to help, except a secret's. */
  invalid(setting: AnySetting, expected = setting.expected): void {
    const value = this.raw(setting);
    const echo = value !== undefined && setting.kind !== 'secret';
    this.problems.push({
      setting: nameOf(setting),
      kind: 'invalid',
      expected: echo ? `${expected} (got "${value.slice(0, 60)}")` : expected,
    });
  }
}

function nameOf(setting: SettingRef): string {
  return typeof setting === 'string' ? setting : setting.name;
}
