import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inflateRawSync, inflateSync } from 'node:zlib';

import {
  buildManifest,
  checkManifest,
  crc32,
  encodePng,
  loadIconInputs,
  MANIFEST_VERSION,
  packageFiles,
  parseDotenv,
  renderColorIcon,
  renderOutlineIcon,
  resolveOptions,
  teamsAppIdFor,
  zip,
  type ZipEntry,
} from '../../dev/teams-package';

const ROOT = join(__dirname, '..', '..', '..');
const TEMPLATE: unknown = JSON.parse(readFileSync(join(ROOT, 'infra', 'teams', 'manifest.template.json'), 'utf8'));
const BOT_ID = '0f0f0f0f-1111-2222-3333-444444444444';
const VALUES = {
  MANIFEST_VERSION,
  BOT_ID,
  TEAMS_APP_ID: teamsAppIdFor(BOT_ID),
  VERSION: '1.2.3',
  APP_NAME: 'Genie',
  APP_FULL_NAME: 'Databricks Genie for Microsoft Teams',
  DEVELOPER_NAME: 'Contoso',
  WEBSITE_URL: 'https://contoso.example',
  PRIVACY_URL: 'https://contoso.example/privacy',
  TERMS_URL: 'https://contoso.example/terms',
  ACCENT_COLOR: '#FF3621',
};

// ------------------------------------------------------------------------------- readers for the tests

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  /** Unfiltered pixel rows, `channels` bytes per pixel. */
  pixels: Buffer;
  channels: number;
}

/** Reads a PNG the way a decoder does: signature, chunk CRCs, IHDR, IDAT inflated and unfiltered (filter 0 only). */
function readPng(file: Buffer): Png {
  assert.deepEqual([...file.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let pos = 8;
  const chunks: { type: string; data: Buffer }[] = [];
  while (pos < file.length) {
    const length = file.readUInt32BE(pos);
    const type = file.toString('latin1', pos + 4, pos + 8);
    const data = file.subarray(pos + 8, pos + 8 + length);
    assert.equal(file.readUInt32BE(pos + 8 + length), crc32(file.subarray(pos + 4, pos + 8 + length)), `${type} CRC`);
    chunks.push({ type, data });
    pos += 12 + length;
  }
  assert.deepEqual(
    chunks.map((c) => c.type).filter((t, i, all) => all.indexOf(t) === i),
    ['IHDR', 'IDAT', 'IEND'],
  );
  const ihdr = chunks[0]?.data;
  assert.ok(ihdr && ihdr.length === 13);
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const colorType = ihdr[9] ?? -1;
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  assert.ok(channels, `colour type ${colorType} is RGB or RGBA`);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * channels;
  assert.equal(raw.length, (stride + 1) * height);
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (stride + 1)], 0, 'filter type 0');
    raw.copy(pixels, y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
  }
  return { width, height, bitDepth: ihdr[8] ?? 0, colorType, interlace: ihdr[12] ?? -1, pixels, channels };
}

/** Reads a zip through its central directory, as unzip does, and checks each local header against it. */
function readZip(file: Buffer): { name: string; data: Buffer; method: number }[] {
  const eocd = file.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'end of central directory');
  const count = file.readUInt16LE(eocd + 10);
  const size = file.readUInt32LE(eocd + 12);
  let pos = file.readUInt32LE(eocd + 16);
  assert.equal(pos + size, eocd, 'central directory ends where the end record starts');
  const entries: { name: string; data: Buffer; method: number }[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(file.readUInt32LE(pos), 0x02014b50, 'central header signature');
    const method = file.readUInt16LE(pos + 10);
    const crc = file.readUInt32LE(pos + 16);
    const compressedSize = file.readUInt32LE(pos + 20);
    const size = file.readUInt32LE(pos + 24);
    const nameLength = file.readUInt16LE(pos + 28);
    const extraLength = file.readUInt16LE(pos + 30);
    const commentLength = file.readUInt16LE(pos + 32);
    const localOffset = file.readUInt32LE(pos + 42);
    const name = file.toString('utf8', pos + 46, pos + 46 + nameLength);
    assert.equal(file.readUInt32LE(localOffset), 0x04034b50, `${name}: local header signature`);
    assert.equal(file.readUInt32LE(localOffset + 14), crc, `${name}: local CRC`);
    assert.equal(file.readUInt32LE(localOffset + 18), compressedSize, `${name}: local compressed size`);
    const localName = file.toString('utf8', localOffset + 30, localOffset + 30 + file.readUInt16LE(localOffset + 26));
    assert.equal(localName, name);
    const start = localOffset + 30 + file.readUInt16LE(localOffset + 26) + file.readUInt16LE(localOffset + 28);
    const stored = file.subarray(start, start + compressedSize);
    const data = method === 8 ? inflateRawSync(stored) : Buffer.from(stored);
    assert.equal(data.length, size, `${name}: size`);
    assert.equal(crc32(data), crc, `${name}: CRC of the inflated data`);
    entries.push({ name, data, method });
    pos += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The official Teams manifest JSON schema, from @microsoft/app-manifest when it is installed. */
function officialValidator(version: string): ((manifest: unknown) => string[]) | undefined {
  let dir: string;
  try {
    dir = dirname(require.resolve('@microsoft/app-manifest/package.json'));
  } catch {
    return undefined;
  }
  type Ajv = { compile(schema: unknown): { (data: unknown): boolean; errors?: { instancePath: string; message?: string }[] | null } };
  const load = <T>(name: string): T => {
    const mod = createRequire(join(dir, 'package.json'))(name) as T | { default: T };
    return (mod as { default?: T }).default ?? (mod as T);
  };
  // The same validator setup as the package's own AppManifestUtils.validateAgainstSchema, without its
  // network fallback: the schema is read from the package.
  const AjvDraft04 = load<new (options: object) => Ajv>('ajv-draft-04');
  const addFormats = load<(ajv: Ajv, formats: string[]) => void>('ajv-formats');
  const ajv = new AjvDraft04({ allErrors: true, strictTypes: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const schema: unknown = JSON.parse(readFileSync(join(dir, 'build', 'json-schemas', 'teams', `v${version}`, 'MicrosoftTeams.schema.json'), 'utf8'));
  const validate = ajv.compile(schema);
  return (manifest) => (validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

// ------------------------------------------------------------------------------- tests

describe('teams package: manifest', () => {
  const manifest = buildManifest(TEMPLATE, VALUES);

  it('fills the template and passes the checks of the fields the bot relies on', () => {
    assert.deepEqual(checkManifest(manifest), []);
    assert.equal(manifest.manifestVersion, MANIFEST_VERSION);
    assert.equal(manifest.$schema, `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`);
    const bot = (manifest.bots as { botId: string; scopes: string[]; commandLists: { commands: { title: string }[] }[] }[])[0];
    assert.equal(bot?.botId, BOT_ID);
    assert.deepEqual(bot?.scopes, ['personal', 'team', 'groupChat']);
    assert.deepEqual(
      bot?.commandLists.flatMap((l) => l.commands.map((c) => c.title)),
      ['help', 'new'],
    );
    assert.ok(!JSON.stringify(manifest).includes('{{'), 'no placeholder left');
  });

  it('validates against the official Teams manifest JSON schema', (t) => {
    const validate = officialValidator(MANIFEST_VERSION);
    if (!validate) {
      t.skip('@microsoft/app-manifest is not installed: only the field checks above ran');
      return;
    }
    assert.deepEqual(validate(manifest), []);
    assert.notDeepEqual(validate({ ...manifest, bots: [{ botId: BOT_ID, scopes: ['everywhere'] }] }), [], 'the schema rejects a bad scope');
  });

  it('reports a placeholder without a value, and the mistakes checkManifest exists for', () => {
    const { BOT_ID: _dropped, ...withoutBot } = VALUES;
    assert.throws(() => buildManifest(TEMPLATE, withoutBot), /no value for BOT_ID/);
    const broken = buildManifest(TEMPLATE, { ...VALUES, BOT_ID: 'not-a-guid', APP_NAME: 'A name far longer than thirty characters' });
    (broken.bots as Record<string, unknown>[])[0] = { ...(broken.bots as Record<string, unknown>[])[0], supportsFiles: true, scopes: ['personal'] };
    const problems = checkManifest(broken).join('\n');
    for (const expected of ['botId is not a GUID', 'name.short', 'supportsFiles', 'scopes are not personal, team, groupChat']) {
      assert.ok(problems.includes(expected), `reports ${expected}: ${problems}`);
    }
  });

  it('derives a stable GUID Teams app id from the bot id', () => {
    assert.equal(teamsAppIdFor(BOT_ID), teamsAppIdFor(BOT_ID.toUpperCase()));
    assert.notEqual(teamsAppIdFor(BOT_ID), teamsAppIdFor('1f0f0f0f-1111-2222-3333-444444444444'));
    assert.match(teamsAppIdFor(BOT_ID), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('teams package: bot id and values', () => {
  const root = mkdtempSync(join(tmpdir(), 'teams-package-'));
  mkdirSync(join(root, 'infra', 'teams'), { recursive: true });
  mkdirSync(join(root, '.azure', 'prod'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '0.4.2' }));
  writeFileSync(join(root, 'infra', 'teams', 'icons.json'), readFileSync(join(ROOT, 'infra', 'teams', 'icons.json')));
  writeFileSync(join(root, '.azure', 'config.json'), JSON.stringify({ version: 1, defaultEnvironment: 'prod' }));
  writeFileSync(
    join(root, '.azure', 'prod', '.env'),
    `AZURE_ENV_NAME="prod"\nBOT_ID="${BOT_ID}"\nFUNCTION_APP_URL="https://func-api-abc.azurewebsites.net"\n`,
  );
  after(() => rmSync(root, { recursive: true, force: true }));
  const other = '2f0f0f0f-1111-2222-3333-444444444444';

  it('takes --bot-id first, then BOT_ID, then MicrosoftAppId, then the azd environment', () => {
    assert.equal(resolveOptions(['--bot-id', other], { BOT_ID: BOT_ID }, root).botId, other);
    assert.equal(resolveOptions([], { BOT_ID: other, MicrosoftAppId: BOT_ID }, root).botId, other);
    assert.equal(resolveOptions([], { MicrosoftAppId: other }, root).botId, other);
    const fromAzd = resolveOptions([], {}, root);
    assert.equal(fromAzd.botId, BOT_ID);
    assert.match(fromAzd.botIdSource, /\.azure\/prod\/\.env/);
    assert.equal(fromAzd.values.WEBSITE_URL, 'https://func-api-abc.azurewebsites.net', 'the function app is the default website');
    assert.equal(fromAzd.values.VERSION, '0.4.2', 'the manifest version follows package.json');
  });

  it('explains where a bot id comes from when there is none, and refuses one that is not a GUID', () => {
    assert.throws(() => resolveOptions(['--env', 'missing'], {}, root), /--bot-id[\s\S]*azd up/);
    assert.throws(() => resolveOptions(['--bot-id', 'abc'], {}, root), /not a GUID/);
  });

  it('reads azd dotenv files', () => {
    assert.deepEqual(parseDotenv('A="x y"\nB=plain\n# comment\nexport C=\'q\'\n'), { A: 'x y', B: 'plain', C: 'q' });
  });
});

describe('teams package: icons', () => {
  const inputs = loadIconInputs(join(ROOT, 'infra', 'teams', 'icons.json'));

  it('encodes a 192×192 colour icon with the accent colour behind a white glyph', () => {
    const png = readPng(encodePng(renderColorIcon(inputs)));
    assert.deepEqual([png.width, png.height, png.bitDepth, png.interlace], [192, 192, 8, 0]);
    assert.equal(png.colorType, 2, 'RGB');
    const pixel = (x: number, y: number) => [...png.pixels.subarray((y * 192 + x) * 3, (y * 192 + x) * 3 + 3)];
    assert.deepEqual(pixel(0, 0), [0xff, 0x36, 0x21], 'full-bleed accent background');
    const white = [...Array(192 * 192).keys()].filter((i) => png.pixels.readUIntBE(i * 3, 3) === 0xffffff).length;
    assert.ok(white > 192 * 192 * 0.1 && white < 192 * 192 * 0.6, `a visible glyph (${white} white pixels)`);
  });

  it('encodes a 32×32 outline icon: white only, on a transparent background', () => {
    const png = readPng(encodePng(renderOutlineIcon(inputs)));
    assert.deepEqual([png.width, png.height, png.bitDepth], [32, 32, 8]);
    assert.equal(png.colorType, 6, 'RGBA: the colour type with alpha');
    const alpha = [...Array(32 * 32).keys()].map((i) => png.pixels[i * 4 + 3] ?? -1);
    for (const corner of [0, 31, 32 * 31, 32 * 32 - 1]) assert.equal(alpha[corner], 0, 'transparent corners');
    assert.ok(alpha.filter((a) => a === 0).length > 32 * 32 * 0.3, 'mostly transparent');
    assert.ok(alpha.filter((a) => a === 255).length > 32 * 32 * 0.1, 'an opaque glyph');
    for (let i = 0; i < 32 * 32; i++) assert.equal(png.pixels.readUIntBE(i * 4, 3), 0xffffff, 'every pixel is white');
  });

  it('rejects pixel data of the wrong length', () => {
    assert.throws(() => encodePng({ width: 2, height: 2, channels: 4, data: new Uint8Array(15) }), /data length/);
  });
});

describe('teams package: zip', () => {
  it('computes the standard CRC-32', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
  });

  it('writes an archive whose central directory, headers and inflated entries read back exactly', () => {
    const entries: ZipEntry[] = [
      { name: 'manifest.json', data: Buffer.from('{"a":1}\n') },
      { name: 'empty.txt', data: Buffer.alloc(0) },
      { name: 'größe.bin', data: Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 251)) },
    ];
    const archive = zip(entries);
    const read = readZip(archive);
    assert.deepEqual(
      read.map((e) => [e.name, e.method]),
      entries.map((e) => [e.name, 8]),
    );
    for (const [i, entry] of entries.entries()) assert.ok(read[i]?.data.equals(entry.data), entry.name);
    assert.ok(zip(entries).equals(archive), 'the same inputs give the same bytes');
  });

  it('packages manifest.json, color.png and outline.png at the root', () => {
    const files = packageFiles({ botId: BOT_ID, botIdSource: 'test', values: VALUES }, ROOT);
    const read = readZip(zip(files));
    assert.deepEqual(
      read.map((e) => e.name),
      ['manifest.json', 'color.png', 'outline.png'],
    );
    const manifest = JSON.parse(read[0]?.data.toString('utf8') ?? '') as { bots: { botId: string }[]; icons: Record<string, string> };
    assert.equal(manifest.bots[0]?.botId, BOT_ID);
    assert.deepEqual(manifest.icons, { color: 'color.png', outline: 'outline.png' });
    assert.equal(readPng(read[1]?.data ?? Buffer.alloc(0)).width, 192);
    assert.equal(readPng(read[2]?.data ?? Buffer.alloc(0)).width, 32);
  });
});
