import { createHash } from 'node:crypto';

/** Teams app manifest schema version (GA since January 2026; 1.30 is the newest GA). Nothing here needs more than 1.21. */
export const MANIFEST_VERSION = '1.25';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fills every `{{NAME}}` in the template's strings; a placeholder without a value is an error. */
export function buildManifest(template: unknown, values: Readonly<Record<string, string>>): Record<string, unknown> {
  const missing = new Set<string>();
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(/\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
        const value = values[name];
        if (value === undefined) missing.add(name);
        return value ?? '';
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
    return node;
  };
  const manifest = fill(template);
  if (missing.size) throw new Error(`manifest template: no value for ${[...missing].join(', ')}`);
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw new Error('manifest template: not a JSON object');
  return manifest as Record<string, unknown>;
}

interface ManifestShape {
  manifestVersion?: unknown;
  id?: unknown;
  version?: unknown;
  name?: { short?: unknown; full?: unknown };
  description?: { short?: unknown; full?: unknown };
  developer?: Record<string, unknown>;
  icons?: { color?: unknown; outline?: unknown };
  accentColor?: unknown;
  localizationInfo?: { defaultLanguageTag?: unknown; additionalLanguages?: { languageTag?: unknown; file?: unknown }[] };
  bots?: {
    botId?: unknown;
    scopes?: unknown;
    supportsFiles?: unknown;
    commandLists?: { scopes?: unknown; commands?: { title?: unknown; description?: unknown }[] }[];
  }[];
}

/** The longest each localizable string may be (the manifest and localization schemas agree on these). */
const TEXT_LIMITS: readonly (readonly [RegExp, number])[] = [
  [/^name\.short$/, 30],
  [/^name\.full$/, 100],
  [/^description\.short$/, 80],
  [/^description\.full$/, 4000],
  [/\.title$/, 128],
  [/\.description$/, 4000],
];

/**
 * The manifest's strings that a language file translates, under the keys the localization schema uses
 * (`name.short`, `bots[0].commandLists[0].commands[1].title`, ...).
 */
export function localizableStrings(manifest: unknown): Record<string, unknown> {
  const m = manifest as ManifestShape;
  const strings: Record<string, unknown> = {
    'name.short': m.name?.short,
    'name.full': m.name?.full,
    'description.short': m.description?.short,
    'description.full': m.description?.full,
  };
  for (const [b, bot] of (m.bots ?? []).entries()) {
    for (const [l, list] of (bot.commandLists ?? []).entries()) {
      for (const [c, command] of (list.commands ?? []).entries()) {
        const key = `bots[${b}].commandLists[${l}].commands[${c}]`;
        strings[`${key}.title`] = command.title;
        if (command.description !== undefined) strings[`${key}.description`] = command.description;
      }
    }
  }
  return strings;
}

/** Problems with one set of localizable strings: empty, too long, or (for a language file) keys the manifest lacks. */
function checkTexts(strings: Readonly<Record<string, unknown>>, label: string): string[] {
  const problems: string[] = [];
  for (const [key, text] of Object.entries(strings)) {
    const limit = TEXT_LIMITS.find(([pattern]) => pattern.test(key))?.[1];
    if (typeof text !== 'string' || text.trim() === '') problems.push(`${label}${key} is empty`);
    else if (limit !== undefined && text.length > limit) problems.push(`${label}${key} is longer than ${limit}`);
  }
  return problems;
}

/** A language file against the manifest it translates: exactly the manifest's localizable keys, each a fitting string. */
export function checkLanguageFile(file: string, language: unknown, manifest: unknown): string[] {
  const { $schema: _schema, ...strings } = (language ?? {}) as Record<string, unknown>;
  const expected = Object.keys(localizableStrings(manifest)).sort();
  const actual = Object.keys(strings).sort();
  const problems = checkTexts(strings, `${file}: `);
  const missing = expected.filter((key) => !actual.includes(key));
  const extra = actual.filter((key) => !expected.includes(key));
  if (missing.length) problems.push(`${file}: no translation of ${missing.join(', ')}`);
  if (extra.length) problems.push(`${file}: ${extra.join(', ')} not in the manifest`);
  return problems;
}

/** The fields this bot relies on, with the limits Teams enforces; an empty list means fine. */
export function checkManifest(manifest: unknown): string[] {
  const m = manifest as ManifestShape;
  const problems: string[] = [];
  const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (m.manifestVersion !== MANIFEST_VERSION) problems.push(`manifestVersion is not ${MANIFEST_VERSION}`);
  if (!isString(m.id) || !GUID.test(m.id)) problems.push('id is not a GUID');
  if (!isString(m.version) || !/^\d+\.\d+\.\d+$/.test(m.version)) problems.push('version is not major.minor.patch');
  problems.push(...checkTexts(localizableStrings(m), ''));
  for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl']) {
    const url = m.developer?.[key];
    if (!isString(url) || !/^https:\/\/\S+$/.test(url)) problems.push(`developer.${key} is not an https URL`);
  }
  if (!isString(m.developer?.name)) problems.push('developer.name is empty');
  if (m.icons?.color !== 'color.png' || m.icons?.outline !== 'outline.png') problems.push('icons are not color.png and outline.png');
  if (!isString(m.accentColor) || !/^#[0-9a-f]{6}$/i.test(m.accentColor)) problems.push('accentColor is not #rrggbb');
  if (m.localizationInfo?.defaultLanguageTag !== 'en-us') problems.push('localizationInfo.defaultLanguageTag is not en-us');
  for (const language of m.localizationInfo?.additionalLanguages ?? []) {
    if (!isString(language.file) || !/^[a-z]{2}(-[a-z]{2})?\.json$/.test(language.file)) {
      problems.push(`localizationInfo: ${String(language.languageTag)} has no <tag>.json file at the package root`);
    }
  }
  const bot = m.bots?.[0];
  if (m.bots?.length !== 1 || !bot) {
    problems.push('there is not exactly one bot');
    return problems;
  }
  if (!isString(bot.botId) || !GUID.test(bot.botId)) problems.push('bots[0].botId is not a GUID');
  const scopes = Array.isArray(bot.scopes) ? [...(bot.scopes as unknown[])].sort() : [];
  if (scopes.join() !== 'groupChat,personal,team') problems.push('bots[0].scopes are not personal, team, groupChat');
  if (bot.supportsFiles !== undefined) problems.push('bots[0].supportsFiles is set, but the bot handles no files');
  const titles = (bot.commandLists ?? []).flatMap((list) => (list.commands ?? []).map((c) => c.title));
  for (const command of ['help', 'new']) if (!titles.includes(command)) problems.push(`bots[0].commandLists lacks "${command}"`);
  return problems;
}

/** A stable Teams app id for a bot id (UUID v5 shape over SHA-1), so rebuilt packages update the same app. */
export function teamsAppIdFor(botId: string): string {
  const hash = createHash('sha1').update(`genie-teams-app:${botId.toLowerCase()}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
