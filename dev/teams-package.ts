/**
 * Builds the sideloadable Teams app package: infra/teams/build/genie-teams.zip holding manifest.json,
 * color.png (192×192) and outline.png (32×32, white on transparent), all at the zip root.
 *
 *   npm run build && node dist/dev/teams-package.js [--bot-id <guid>] [--env <azd env>] [--app-id <guid>]
 *
 * The bot id comes from --bot-id, else BOT_ID, else MicrosoftAppId, else the BOT_ID output that `azd up`
 * wrote to .azure/<env>/.env. No dependencies: the PNG and zip writers below use node:zlib.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deflateRawSync, deflateSync } from 'node:zlib';

/** Teams app manifest schema version (GA since January 2026; 1.30 is the newest GA). Nothing here needs more than 1.21. */
export const MANIFEST_VERSION = '1.25';
export const ROOT = join(__dirname, '..', '..');
export const TEAMS_DIR = join(ROOT, 'infra', 'teams');
export const BUILD_DIR = join(TEAMS_DIR, 'build');
export const PACKAGE_NAME = 'genie-teams.zip';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------- manifest

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
  bots?: { botId?: unknown; scopes?: unknown; supportsFiles?: unknown; commandLists?: { scopes?: unknown; commands?: { title?: unknown }[] }[] }[];
}

/** The fields this bot relies on, with the limits Teams enforces; an empty list means fine. */
export function checkManifest(manifest: unknown): string[] {
  const m = manifest as ManifestShape;
  const problems: string[] = [];
  const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (m.manifestVersion !== MANIFEST_VERSION) problems.push(`manifestVersion is not ${MANIFEST_VERSION}`);
  if (!isString(m.id) || !GUID.test(m.id)) problems.push('id is not a GUID');
  if (!isString(m.version) || !/^\d+\.\d+\.\d+$/.test(m.version)) problems.push('version is not major.minor.patch');
  if (!isString(m.name?.short) || m.name.short.length > 30) problems.push('name.short is empty or longer than 30');
  if (!isString(m.name?.full) || m.name.full.length > 100) problems.push('name.full is empty or longer than 100');
  if (!isString(m.description?.short) || m.description.short.length > 80) problems.push('description.short is empty or longer than 80');
  if (!isString(m.description?.full) || m.description.full.length > 4000) problems.push('description.full is empty or longer than 4000');
  for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl']) {
    const url = m.developer?.[key];
    if (!isString(url) || !/^https:\/\/\S+$/.test(url)) problems.push(`developer.${key} is not an https URL`);
  }
  if (!isString(m.developer?.name)) problems.push('developer.name is empty');
  if (m.icons?.color !== 'color.png' || m.icons?.outline !== 'outline.png') problems.push('icons are not color.png and outline.png');
  if (!isString(m.accentColor) || !/^#[0-9a-f]{6}$/i.test(m.accentColor)) problems.push('accentColor is not #rrggbb');
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

// ---------------------------------------------------------------------------------------- PNG

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3), as PNG chunks and zip entries use it. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface Image {
  readonly width: number;
  readonly height: number;
  /** 3: RGB, 4: RGBA. */
  readonly channels: 3 | 4;
  /** Row-major, `channels` bytes per pixel. */
  readonly data: Uint8Array;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG of `image`: 8 bits per channel, colour type 2 (RGB) or 6 (RGBA), no interlace, filter 0 on every row. */
export function encodePng(image: Image): Buffer {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) throw new Error('encodePng: data length does not match the size');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  // compression 0, filter method 0, interlace 0: already zero
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) Buffer.from(data.buffer, data.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ---------------------------------------------------------------------------------------- icons

export interface IconInputs {
  readonly accentColor: string;
  readonly glyphColor: string;
  readonly color: { readonly size: number; readonly glyphScale: number };
  readonly outline: { readonly size: number; readonly glyphScale: number };
  readonly bubble: { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number; readonly radius: number };
  readonly tail: readonly (readonly [number, number])[];
  readonly spark: { readonly x: number; readonly y: number; readonly radius: number };
}

export function loadIconInputs(file = join(TEAMS_DIR, 'icons.json')): IconInputs {
  return JSON.parse(readFileSync(file, 'utf8')) as IconInputs;
}

function rgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1] ?? '0', 16), parseInt(m[2] ?? '0', 16), parseInt(m[3] ?? '0', 16)];
}

function inRoundedRect(x: number, y: number, r: IconInputs['bubble']): boolean {
  if (x < r.left || x > r.right || y < r.top || y > r.bottom) return false;
  const cx = Math.min(Math.max(x, r.left + r.radius), r.right - r.radius);
  const cy = Math.min(Math.max(y, r.top + r.radius), r.bottom - r.radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r.radius ** 2;
}

function inTriangle(x: number, y: number, points: IconInputs['tail']): boolean {
  const [a, b, c] = points;
  if (!a || !b || !c) return false;
  const side = (p: readonly [number, number], q: readonly [number, number]) => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const d1 = side(a, b);
  const d2 = side(b, c);
  const d3 = side(c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** A four-point spark: |dx|^½ + |dy|^½ ≤ r^½ (an astroid). */
function inSpark(x: number, y: number, s: IconInputs['spark']): boolean {
  return Math.sqrt(Math.abs(x - s.x)) + Math.sqrt(Math.abs(y - s.y)) <= Math.sqrt(s.radius);
}

/** Coverage (0..1) of the glyph (bubble with the spark cut out) in one pixel, 4×4 supersampled. */
function coverage(px: number, py: number, size: number, scale: number, inputs: IconInputs): number {
  const samples = 4;
  let inside = 0;
  for (let sy = 0; sy < samples; sy++) {
    for (let sx = 0; sx < samples; sx++) {
      // pixel sample → glyph space, the glyph scaled about the centre
      const x = 0.5 + ((px + (sx + 0.5) / samples) / size - 0.5) / scale;
      const y = 0.5 + ((py + (sy + 0.5) / samples) / size - 0.5) / scale;
      const bubble = inRoundedRect(x, y, inputs.bubble) || inTriangle(x, y, inputs.tail);
      if (bubble && !inSpark(x, y, inputs.spark)) inside++;
    }
  }
  return inside / (samples * samples);
}

/** The colour icon: the glyph on a full-bleed accent background, RGB. */
export function renderColorIcon(inputs: IconInputs): Image {
  const { size, glyphScale } = inputs.color;
  const bg = rgb(inputs.accentColor);
  const fg = rgb(inputs.glyphColor);
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const a = coverage(x, y, size, glyphScale, inputs);
      for (let c = 0; c < 3; c++) data[(y * size + x) * 3 + c] = Math.round((bg[c] ?? 0) * (1 - a) + (fg[c] ?? 0) * a);
    }
  }
  return { width: size, height: size, channels: 3, data };
}

/** The outline icon: the glyph in white on a transparent background, RGBA (Teams requires exactly this). */
export function renderOutlineIcon(inputs: IconInputs): Image {
  const { size, glyphScale } = inputs.outline;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 255;
      data[i + 3] = Math.round(255 * coverage(x, y, size, glyphScale, inputs));
    }
  }
  return { width: size, height: size, channels: 4, data };
}

// ---------------------------------------------------------------------------------------- zip

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

/** A zip archive (deflate, no zip64, fixed 1980-01-01 timestamps so the same inputs give the same bytes). */
export function zip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = deflateRawSync(entry.data, { level: 9 });
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // flags: names are UTF-8
    local.writeUInt16LE(8, 8); // method: deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra length
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by: 2.0, MS-DOS attributes
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra, comment, disk number, internal and external attributes: zero
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// ---------------------------------------------------------------------------------------- configuration

/** KEY=value lines of a dotenv file as azd writes it (values may be double-quoted). */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m?.[1]) continue;
    let value = m[2] ?? '';
    if (/^".*"$/.test(value)) value = value.slice(1, -1).replace(/\\"/g, '"').replace(/\\n/g, '\n');
    else if (/^'.*'$/.test(value)) value = value.slice(1, -1);
    values[m[1]] = value;
  }
  return values;
}

/** The azd environment's values (.azure/<env>/.env), the environment named by `name`, AZURE_ENV_NAME or azd's default. */
export function readAzdEnv(root: string, name?: string): { name: string; values: Record<string, string> } | undefined {
  let envName = name;
  if (!envName) {
    const config = join(root, '.azure', 'config.json');
    if (existsSync(config)) envName = (JSON.parse(readFileSync(config, 'utf8')) as { defaultEnvironment?: string }).defaultEnvironment;
  }
  if (!envName) return undefined;
  const file = join(root, '.azure', envName, '.env');
  return existsSync(file) ? { name: envName, values: parseDotenv(readFileSync(file, 'utf8')) } : undefined;
}

export interface PackageOptions {
  readonly botId: string;
  readonly botIdSource: string;
  readonly values: Readonly<Record<string, string>>;
}

/** Where every manifest value comes from: flags, then the environment, then the azd environment, then defaults. */
export function resolveOptions(args: readonly string[], env: NodeJS.ProcessEnv, root = ROOT): PackageOptions {
  const { values: flags } = parseArgs({
    args: [...args],
    options: {
      'bot-id': { type: 'string' },
      'app-id': { type: 'string' },
      env: { type: 'string' },
      version: { type: 'string' },
      name: { type: 'string' },
    },
    strict: true,
  });
  const azd = readAzdEnv(root, flags.env ?? env.AZURE_ENV_NAME);
  const pick = (...candidates: [string, string | undefined][]): [string, string] | undefined => {
    const hit = candidates.find(([, value]) => value !== undefined && value.trim() !== '');
    return hit ? [hit[0], (hit[1] ?? '').trim()] : undefined;
  };
  const bot = pick(
    ['--bot-id', flags['bot-id']],
    ['BOT_ID', env.BOT_ID],
    ['MicrosoftAppId', env.MicrosoftAppId],
    [`BOT_ID in .azure/${azd?.name ?? '<env>'}/.env`, azd?.values.BOT_ID],
  );
  if (!bot) {
    throw new Error(
      'No bot id: pass --bot-id <guid>, set BOT_ID or MicrosoftAppId, or run `azd up` first (its BOT_ID output lands in .azure/<env>/.env).',
    );
  }
  const [botIdSource, botId] = bot;
  if (!GUID.test(botId)) throw new Error(`The bot id from ${botIdSource} is not a GUID.`);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  const site = env.FUNCTION_APP_URL ?? azd?.values.FUNCTION_APP_URL;
  const website = env.TEAMS_WEBSITE_URL ?? site ?? 'https://www.example.com';
  return {
    botId,
    botIdSource,
    values: {
      MANIFEST_VERSION,
      BOT_ID: botId,
      TEAMS_APP_ID: flags['app-id'] ?? env.TEAMS_APP_ID ?? teamsAppIdFor(botId),
      VERSION: flags.version ?? env.TEAMS_APP_VERSION ?? pkg.version ?? '1.0.0',
      APP_NAME: flags.name ?? env.TEAMS_APP_NAME ?? 'Genie',
      APP_FULL_NAME: env.TEAMS_APP_FULL_NAME ?? 'Databricks Genie for Microsoft Teams',
      DEVELOPER_NAME: env.TEAMS_DEVELOPER_NAME ?? 'Genie for Teams',
      WEBSITE_URL: website,
      PRIVACY_URL: env.TEAMS_PRIVACY_URL ?? website,
      TERMS_URL: env.TEAMS_TERMS_URL ?? website,
      ACCENT_COLOR: loadIconInputs(join(root, 'infra', 'teams', 'icons.json')).accentColor,
    },
  };
}

/** Every file of the package, in zip order. */
export function packageFiles(options: PackageOptions, root = ROOT): ZipEntry[] {
  const teams = join(root, 'infra', 'teams');
  const manifest = buildManifest(JSON.parse(readFileSync(join(teams, 'manifest.template.json'), 'utf8')), options.values);
  const problems = checkManifest(manifest);
  if (problems.length) throw new Error(`manifest.json:\n  - ${problems.join('\n  - ')}`);
  const icons = loadIconInputs(join(teams, 'icons.json'));
  return [
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') },
    { name: 'color.png', data: encodePng(renderColorIcon(icons)) },
    { name: 'outline.png', data: encodePng(renderOutlineIcon(icons)) },
  ];
}

function main(): void {
  const options = resolveOptions(process.argv.slice(2), process.env);
  const files = packageFiles(options);
  mkdirSync(BUILD_DIR, { recursive: true });
  for (const file of files) writeFileSync(join(BUILD_DIR, file.name), file.data);
  const target = join(BUILD_DIR, PACKAGE_NAME);
  writeFileSync(target, zip(files));
  console.log(`bot id ${options.botId} (from ${options.botIdSource}), Teams app id ${options.values.TEAMS_APP_ID}`);
  console.log(`wrote ${target}: upload it in Teams (Apps > Manage your apps > Upload an app), see docs/deploy.md`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
