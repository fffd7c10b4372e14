import { findSetting } from './settings';

export interface ConfigProblem {
  readonly setting: string;
  readonly kind: 'missing' | 'invalid';
  /** What a valid value looks like; never contains the value of a secret. */
  readonly expected: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads settings one by one and collects every problem instead of stopping at the first. */
export class EnvReader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly env: Env) {}

  /** The trimmed value, or undefined when absent or blank. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  missing(name: string, expected: string): void {
    this.problems.push({ setting: name, kind: 'missing', expected });
  }

  invalid(name: string, expected: string): void {
    const value = this.raw(name);
    const shown = value !== undefined && !findSetting(name)?.secret ? ` (got "${value.slice(0, 60)}")` : '';
    this.problems.push({ setting: name, kind: 'invalid', expected: expected + shown });
  }

  required(name: string, expected: string): string {
    const value = this.raw(name);
    if (value === undefined) this.missing(name, expected);
    return value ?? '';
  }

  number(name: string, fallback: number, range: { min: number; max: number; integer?: boolean }): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    const ok = Number.isFinite(parsed) && parsed >= range.min && parsed <= range.max && (!range.integer || Number.isInteger(parsed));
    if (!ok) {
      this.invalid(name, `${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.invalid(name, 'true or false');
    return fallback;
  }

  /** One of `choices`, matched case-insensitively and returned in the spelling of `choices`. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = choices.find((c) => c.toLowerCase() === value.toLowerCase());
    if (match === undefined) {
      this.invalid(name, `one of ${choices.join(', ')}`);
      return fallback;
    }
    return match;
  }
}
