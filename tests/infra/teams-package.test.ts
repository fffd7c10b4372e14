import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';

import { unzipSync } from 'fflate';

import {
  buildManifest,
  checkLanguageFile,
  checkManifest,
  localizableStrings,
  MANIFEST_VERSION,
  MAX_PROMPT_STARTERS,
  packageFiles,
  promptStartersFrom,
  readAzdEnv,
  resolveOptions,
  teamsAppIdFor,
  zipPackage,
} from '../../dev/teams-package';

const ROOT = join(__dirname, '..', '..', '..');
const TEAMS = join(ROOT, 'infra', 'teams');
const TEMPLATE: unknown = JSON.parse(readFileSync(join(TEAMS, 'manifest.template.json'), 'utf8'));
const BOT_ID = '0f0f0f0f-1111-2222-3333-444444444444';
const VALUES = {
  MANIFEST_VERSION,
  BOT_ID,
  TEAMS_APP_ID: teamsAppIdFor(BOT_ID),
  VERSION: '1.2.3',
  APP_NAME: 'Genie',
  DEVELOPER_NAME: 'Contoso',
  WEBSITE_URL: 'https://contoso.example',
  PRIVACY_URL: 'https://contoso.example/privacy',
  TERMS_URL: 'https://contoso.example/terms',
};
const LANGUAGE_FILES = ['zh-tw.json', 'zh-cn.json'];

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

/** Reads a PNG the way a decoder does: signature, IHDR, IDAT inflated and unfiltered (filter 0 only, as the committed icons use). */
function readPng(file: Buffer): Png {
  assert.deepEqual([...file.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let pos = 8;
  const chunks: { type: string; data: Buffer }[] = [];
  while (pos < file.length) {
    const length = file.readUInt32BE(pos);
    chunks.push({ type: file.toString('latin1', pos + 4, pos + 8), data: file.subarray(pos + 8, pos + 8 + length) });
    pos += 12 + length;
  }
  assert.equal(chunks[0]?.type, 'IHDR');
  assert.equal(chunks.at(-1)?.type, 'IEND');
  const ihdr = chunks[0].data;
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

/** The entry names of a zip in central-directory order, as unzip lists them. */
function zipEntryNames(file: Buffer): string[] {
  const eocd = file.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'end of central directory');
  let pos = file.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < file.readUInt16LE(eocd + 10); i++) {
    assert.equal(file.readUInt32LE(pos), 0x02014b50, 'central header signature');
    assert.equal(file.readUInt16LE(pos + 10), 8, 'deflated');
    const nameLength = file.readUInt16LE(pos + 28);
    names.push(file.toString('utf8', pos + 46, pos + 46 + nameLength));
    pos += 46 + nameLength + file.readUInt16LE(pos + 30) + file.readUInt16LE(pos + 32);
  }
  return names;
}

/** The official Teams JSON schemas (manifest, localization), from @microsoft/app-manifest when it is installed. */
function officialValidator(version: string, schemaFile: string): ((document: unknown) => string[]) | undefined {
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
  // unicodeRegExp off: the localization schema's activityTypes patterns (`\b]`) are invalid under the `u` flag,
  // so they are compiled as plain JavaScript regular expressions.
  const ajv = new AjvDraft04({ allErrors: true, strictTypes: false, unicodeRegExp: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const schema: unknown = JSON.parse(readFileSync(join(dir, 'build', 'json-schemas', 'teams', `v${version}`, schemaFile), 'utf8'));
  const validate = ajv.compile(schema);
  return (document) => (validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
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
    const validate = officialValidator(MANIFEST_VERSION, 'MicrosoftTeams.schema.json');
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
    (broken.bots as Record<string, unknown>[])[0] = {
      ...(broken.bots as Record<string, unknown>[])[0],
      supportsFiles: true,
      scopes: ['personal'],
    };
    broken.localizationInfo = { defaultLanguageTag: 'fr', additionalLanguages: [{ languageTag: 'zh-tw', file: 'languages/zh-tw.json' }] };
    const problems = checkManifest(broken).join('\n');
    for (const expected of [
      'botId is not a GUID',
      'name.short',
      'supportsFiles',
      'scopes are not personal, team, groupChat',
      'en-us',
      'zh-tw has no',
    ]) {
      assert.ok(problems.includes(expected), `reports ${expected}: ${problems}`);
    }
  });

  it('derives a stable GUID Teams app id from the bot id', () => {
    assert.equal(teamsAppIdFor(BOT_ID), teamsAppIdFor(BOT_ID.toUpperCase()));
    assert.notEqual(teamsAppIdFor(BOT_ID), teamsAppIdFor('1f0f0f0f-1111-2222-3333-444444444444'));
    assert.match(teamsAppIdFor(BOT_ID), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('teams package: languages', () => {
  const manifest = buildManifest(TEMPLATE, VALUES);
  const languages = Object.fromEntries(
    LANGUAGE_FILES.map((file) => [file, buildManifest(JSON.parse(readFileSync(join(TEAMS, 'languages', file), 'utf8')), VALUES)]),
  );

  it('declares en-us as the manifest language and a file per additional language', () => {
    assert.deepEqual(manifest.localizationInfo, {
      defaultLanguageTag: 'en-us',
      additionalLanguages: [
        { languageTag: 'zh-tw', file: 'zh-tw.json' },
        { languageTag: 'zh-cn', file: 'zh-cn.json' },
      ],
    });
  });

  it('translates every localizable string of the manifest, and nothing else', () => {
    const keys = Object.keys(localizableStrings(manifest)).sort();
    assert.ok(keys.includes('bots[0].commandLists[0].commands[1].description'), 'the command texts are localizable');
    for (const [file, language] of Object.entries(languages)) {
      const { $schema, ...strings } = language;
      assert.deepEqual(Object.keys(strings).sort(), keys, `${file} has the manifest's keys`);
      assert.equal(
        $schema,
        `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.Localization.schema.json`,
      );
      assert.deepEqual(checkLanguageFile(file, language, manifest), []);
      const english = localizableStrings(manifest);
      for (const key of ['description.short', 'description.full', 'bots[0].commandLists[0].commands[0].title']) {
        assert.notEqual(strings[key], english[key], `${file} translates ${key}`);
      }
    }
  });

  it('writes Taiwan usage in zh-TW and mainland usage in zh-CN', () => {
    const text = (file: string) => JSON.stringify(languages[file]);
    assert.match(text('zh-tw.json'), /資料/);
    assert.doesNotMatch(text('zh-tw.json'), /数据|对话|帮助/);
    assert.match(text('zh-cn.json'), /数据/);
    assert.doesNotMatch(text('zh-cn.json'), /資料|對話|說明/);
  });

  it('validates each language file against the official Teams localization schema', (t) => {
    const validate = officialValidator(MANIFEST_VERSION, 'MicrosoftTeams.Localization.schema.json');
    if (!validate) {
      t.skip('@microsoft/app-manifest is not installed: only checkLanguageFile ran');
      return;
    }
    for (const [file, language] of Object.entries(languages)) assert.deepEqual(validate(language), [], file);
    assert.notDeepEqual(validate({ ...languages['zh-tw.json'], 'name.short': 'x'.repeat(31) }), [], 'the schema rejects a long name');
  });

  it('reports a language file with a missing, an extra or an empty key', () => {
    const { 'name.full': _dropped, ...rest } = languages['zh-tw.json'] ?? {};
    const problems = checkLanguageFile('zh-tw.json', { ...rest, 'description.short': ' ', 'staticTabs[0].name': 'x' }, manifest).join('\n');
    for (const expected of ['no translation of name.full', 'staticTabs[0].name not in the manifest', 'description.short is empty']) {
      assert.ok(problems.includes(expected), `reports ${expected}: ${problems}`);
    }
  });
});

describe('teams package: bot id and values', () => {
  const root = mkdtempSync(join(tmpdir(), 'teams-package-'));
  mkdirSync(join(root, '.azure', 'prod'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '0.4.2' }));
  writeFileSync(join(root, '.azure', 'config.json'), JSON.stringify({ version: 1, defaultEnvironment: 'prod' }));
  writeFileSync(
    join(root, '.azure', 'prod', '.env'),
    `# written by azd\nAZURE_ENV_NAME="prod"\nBOT_ID="${BOT_ID}"\nFUNCTION_APP_URL="https://func-api-abc.azurewebsites.net"\n`,
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

  it('reads the azd environment named by --env, or the default one', () => {
    assert.deepEqual(readAzdEnv(root)?.values, {
      AZURE_ENV_NAME: 'prod',
      BOT_ID,
      FUNCTION_APP_URL: 'https://func-api-abc.azurewebsites.net',
    });
    assert.equal(readAzdEnv(root, 'missing'), undefined);
  });
});

describe('teams package: icons', () => {
  const accent = String(buildManifest(TEMPLATE, VALUES).accentColor);

  it('has a 192×192 colour icon with the manifest accent colour behind a white glyph', () => {
    const png = readPng(readFileSync(join(TEAMS, 'color.png')));
    assert.deepEqual([png.width, png.height, png.bitDepth, png.interlace], [192, 192, 8, 0]);
    assert.equal(png.colorType, 2, 'RGB');
    const pixel = (x: number, y: number) => png.pixels.readUIntBE((y * 192 + x) * 3, 3);
    assert.equal(pixel(0, 0), parseInt(accent.slice(1), 16), `full-bleed accent background ${accent}`);
    const white = [...Array(192 * 192).keys()].filter((i) => png.pixels.readUIntBE(i * 3, 3) === 0xffffff).length;
    assert.ok(white > 192 * 192 * 0.1 && white < 192 * 192 * 0.6, `a visible glyph (${white} white pixels)`);
  });

  it('has a 32×32 outline icon: white only, on a transparent background', () => {
    const png = readPng(readFileSync(join(TEAMS, 'outline.png')));
    assert.deepEqual([png.width, png.height, png.bitDepth], [32, 32, 8]);
    assert.equal(png.colorType, 6, 'RGBA: the colour type with alpha');
    const alpha = [...Array(32 * 32).keys()].map((i) => png.pixels[i * 4 + 3] ?? -1);
    for (const corner of [0, 31, 32 * 31, 32 * 32 - 1]) assert.equal(alpha[corner], 0, 'transparent corners');
    assert.ok(alpha.filter((a) => a === 0).length > 32 * 32 * 0.3, 'mostly transparent');
    assert.ok(alpha.filter((a) => a === 255).length > 32 * 32 * 0.1, 'an opaque glyph');
    for (let i = 0; i < 32 * 32; i++) assert.equal(png.pixels.readUIntBE(i * 4, 3), 0xffffff, 'every pixel is white');
  });
});

describe('teams package: zip', () => {
  const files = packageFiles({ botId: BOT_ID, botIdSource: 'test', values: VALUES, promptStarters: [] }, ROOT);
  const archive = zipPackage(files);

  it('packages the manifest, the icons and the language files at the root, and they read back exactly', () => {
    assert.deepEqual(zipEntryNames(archive), ['manifest.json', 'color.png', 'outline.png', ...LANGUAGE_FILES]);
    const read = unzipSync(archive);
    for (const file of files) assert.ok(Buffer.from(read[file.name] ?? []).equals(file.data), file.name);
    const manifest = JSON.parse(Buffer.from(read['manifest.json'] ?? []).toString('utf8')) as {
      bots: { botId: string }[];
      icons: Record<string, string>;
    };
    assert.equal(manifest.bots[0]?.botId, BOT_ID);
    assert.deepEqual(manifest.icons, { color: 'color.png', outline: 'outline.png' });
    assert.ok(Buffer.from(read['color.png'] ?? []).equals(readFileSync(join(TEAMS, 'color.png'))), 'the committed colour icon');
    for (const file of LANGUAGE_FILES) {
      const language = JSON.parse(Buffer.from(read[file] ?? []).toString('utf8')) as Record<string, string>;
      assert.equal(language['name.short'], VALUES.APP_NAME, `${file}: placeholders filled`);
    }
  });

  it('gives the same bytes for the same inputs', () => {
    assert.ok(zipPackage(packageFiles({ botId: BOT_ID, botIdSource: 'test', values: VALUES, promptStarters: [] }, ROOT)).equals(archive));
  });

  it('refuses to package a language file that does not match the manifest', () => {
    const root = mkdtempSync(join(tmpdir(), 'teams-package-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    cpSync(TEAMS, join(root, 'infra', 'teams'), { recursive: true });
    const file = join(root, 'infra', 'teams', 'languages', 'zh-cn.json');
    const { 'name.full': _dropped, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    writeFileSync(file, JSON.stringify(rest));
    assert.throws(
      () => packageFiles({ botId: BOT_ID, botIdSource: 'test', values: VALUES, promptStarters: [] }, root),
      /zh-cn\.json: no translation of name\.full/,
    );
  });
});

describe('teams package: prompt starters from SAMPLE_QUESTIONS', () => {
  it('reads SAMPLE_QUESTIONS as the bot does, at most ten, each a fitting command title', () => {
    assert.deepEqual(promptStartersFrom(' Top 5 products by revenue ;; Revenue by region '), [
      'Top 5 products by revenue',
      'Revenue by region',
    ]);
    assert.deepEqual(promptStartersFrom(undefined), []);
    const many = Array.from({ length: 12 }, (_, i) => `Question ${i + 1}`).join(';');
    assert.equal(promptStartersFrom(many).length, MAX_PROMPT_STARTERS);
    assert.deepEqual(promptStartersFrom(`${'x'.repeat(129)};Short one`), ['Short one']);
    assert.deepEqual(
      resolveOptions(['--bot-id', BOT_ID], { SAMPLE_QUESTIONS: 'Top 5 products by revenue;Revenue by region last quarter' }, ROOT)
        .promptStarters,
      ['Top 5 products by revenue', 'Revenue by region last quarter'],
    );
  });

  it('adds them after help and new, in every language as written, and the package passes its checks', () => {
    const questions = Array.from({ length: MAX_PROMPT_STARTERS }, (_, i) => `Question ${i + 1}?`);
    const files = packageFiles({ botId: BOT_ID, botIdSource: 'test', values: VALUES, promptStarters: questions }, ROOT);
    const read = (name: string) => JSON.parse(files.find((f) => f.name === name)!.data.toString('utf8')) as Record<string, unknown>;
    const manifest = read('manifest.json') as { bots: { commandLists: { commands: { title: string; description: string }[] }[] }[] };
    const commands = manifest.bots[0]!.commandLists[0]!.commands;
    assert.deepEqual(
      commands.map((c) => c.title),
      ['help', 'new', ...questions],
    );
    assert.deepEqual(commands.at(-1), { title: 'Question 10?', description: 'Question 10?' });
    assert.deepEqual(checkManifest(manifest), []);
    for (const file of LANGUAGE_FILES) {
      const language = read(file);
      assert.equal(language['bots[0].commandLists[0].commands[2].title'], 'Question 1?', file);
      assert.deepEqual(checkLanguageFile(file, language, manifest), [], file);
    }
  });
});
