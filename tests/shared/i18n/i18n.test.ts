import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { IntlMessageFormat } from 'intl-messageformat';

import { parseCommand } from '../../../shared/bot';
import { loadConfig } from '../../../shared/config';
import {
  type Catalog,
  CATALOGS,
  commandNamed,
  type Locale,
  LOCALES,
  matchLocale,
  type MessageKey,
  messagesFor,
  resolveLocale,
} from '../../../shared/i18n';

const ROOT = join(__dirname, '..', '..', '..', '..');
const I18N = join(ROOT, 'shared', 'i18n');
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
const SOURCE_KEYS = Object.keys(CATALOGS['en-US'].messages).sort() as MessageKey[];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The placeholder names a message uses, at any depth of selects and plurals. */
function argumentsOf(message: string, locale: string): string[] {
  const names = new Set<string>();
  const visit = (elements: readonly unknown[]): void => {
    for (const element of elements as { type: number; value?: unknown; options?: Record<string, { value: unknown[] }> }[]) {
      if (element.type >= 1 && element.type <= 6 && typeof element.value === 'string') names.add(element.value);
      for (const option of Object.values(element.options ?? {})) visit(option.value);
    }
  };
  visit(new IntlMessageFormat(message, locale).getAst());
  return [...names].sort();
}

describe('message catalogs', () => {
  for (const locale of LOCALES) {
    it(`${locale}: every key, each message well-formed with the same placeholders as en-US`, () => {
      const { messages } = CATALOGS[locale];
      assert.deepEqual(Object.keys(messages).sort(), SOURCE_KEYS, 'the same keys as the source catalog');
      for (const key of SOURCE_KEYS) {
        assert.ok(messages[key].trim(), `${key} is not empty`);
        assert.deepEqual(argumentsOf(messages[key], locale), argumentsOf(CATALOGS['en-US'].messages[key], 'en-US'), `${locale} ${key}`);
      }
      assert.deepEqual(
        Object.keys(CATALOGS[locale].commands).sort(),
        Object.keys(CATALOGS['en-US'].commands).sort(),
        'words for every command',
      );
    });
  }

  it('has Chinese in every Chinese message and none in English ones (nothing left untranslated)', () => {
    for (const key of SOURCE_KEYS) {
      assert.doesNotMatch(CATALOGS['en-US'].messages[key], CJK, `en-US ${key}`);
      for (const locale of ['zh-TW', 'zh-CN'] as const) assert.match(CATALOGS[locale].messages[key], CJK, `${locale} ${key}`);
    }
  });

  it('uses Taiwan words in zh-TW and mainland words in zh-CN', () => {
    const all = (locale: Locale) => Object.values(CATALOGS[locale].messages).join('\n');
    assert.match(all('zh-TW'), /資料/);
    assert.match(all('zh-TW'), /查詢/);
    assert.doesNotMatch(all('zh-TW'), /数据|查询|信息|数據|默認/);
    assert.match(all('zh-CN'), /数据/);
    assert.match(all('zh-CN'), /查询/);
    assert.doesNotMatch(all('zh-CN'), /資料|資訊|查詢/);
  });

  it('has no key that nothing in shared/ uses', () => {
    const code = sources(join(ROOT, 'shared'))
      .filter((file) => !file.startsWith(I18N))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unused = SOURCE_KEYS.filter((key) => !code.includes(`'${key}'`));
    assert.deepEqual(unused, []);
  });

  it('fills the placeholders, numbers in the language’s format, and the command words', () => {
    assert.equal(
      messagesFor('en-US').text('reply.tooLong', { max: 4_000 }),
      'That question is too long for me to pass on. Please keep it under 4,000 characters.',
    );
    assert.equal(messagesFor('zh-TW').text('reply.tooLong', { max: 4_000 }), '這個問題太長，我無法轉交。請控制在 4,000 個字元以內。');
    assert.match(messagesFor('zh-TW').text('error.notFound'), /請輸入 \*\*新對話\*\*/);
    assert.match(messagesFor('zh-CN').text('reply.notText'), /\*\*帮助\*\*/);
    assert.match(messagesFor('en-US').text('error.notFound'), /Type \*\*new\*\*/);
  });
});

describe('choice of language', () => {
  it('takes the locale Teams sends, in any case', () => {
    assert.equal(matchLocale('zh-TW'), 'zh-TW');
    assert.equal(matchLocale('zh-tw'), 'zh-TW');
    assert.equal(matchLocale('ZH_TW'), 'zh-TW');
    assert.equal(matchLocale('en-US'), 'en-US');
    assert.equal(matchLocale('zh-CN'), 'zh-CN');
  });

  it('falls back by language and script', () => {
    for (const tag of ['zh-HK', 'zh-MO', 'zh-Hant', 'zh-Hant-HK']) assert.equal(matchLocale(tag), 'zh-TW', tag);
    for (const tag of ['zh-SG', 'zh-Hans', 'zh', 'zh-Hans-SG']) assert.equal(matchLocale(tag), 'zh-CN', tag);
    for (const tag of ['en', 'en-GB', 'en-IN']) assert.equal(matchLocale(tag), 'en-US', tag);
  });

  it('knows no language it does not speak, nor a malformed tag; the default then applies', () => {
    for (const tag of ['fr-FR', 'ja-JP', 'not a locale', '', undefined]) assert.equal(matchLocale(tag), undefined, String(tag));
    assert.equal(resolveLocale('fr-FR', 'zh-TW'), 'zh-TW');
    assert.equal(resolveLocale(undefined, 'en-US'), 'en-US');
    assert.equal(resolveLocale('zh-HK', 'en-US'), 'zh-TW');
  });
});

describe('commands in every language', () => {
  it('gives every word one meaning, whichever languages list it', () => {
    const meanings = new Map<string, Set<string>>();
    for (const catalog of Object.values<Catalog>(CATALOGS)) {
      for (const [command, words] of Object.entries(catalog.commands)) {
        for (const word of words) meanings.set(word.toLowerCase(), (meanings.get(word.toLowerCase()) ?? new Set()).add(command));
      }
    }
    assert.deepEqual(
      [...meanings].filter(([, commands]) => commands.size > 1),
      [],
    );
    for (const [word, commands] of meanings) assert.equal(commandNamed(word), [...commands][0], word);
  });

  it('reads help and new in English and Chinese, after trimming full-width spaces and punctuation', () => {
    for (const text of ['help', 'HELP', '/help', 'Help?', '說明', '幫助', '说明', '帮助', '\u3000說明\u3000', '說明。', 'ｈｅｌｐ'])
      assert.equal(parseCommand(text), 'help', text);
    for (const text of ['new', 'Reset', 'new chat', 'NEW\u3000CHAT', 'new conversation', '重置', '新對話', '新对话', '重置！'])
      assert.equal(parseCommand(text), 'new', text);
    for (const text of ['說明一下這個月的營收', 'new products last month', '重置密碼要怎麼做'])
      assert.equal(parseCommand(text), undefined, text);
    assert.equal(parseCommand('?'), 'help');
  });
});

describe('DEFAULT_LOCALE', () => {
  const base = {
    DATABRICKS_HOST: 'https://adb-1.azuredatabricks.net',
    GENIE_SPACE_ID: '01ef64767add1e6d',
    DATABRICKS_TOKEN: 'dapi-x',
    STATE_STORE: 'memory',
    ANSWER_DISPATCH: 'inline',
  };

  it('is en-US unless set, and takes a shipped locale in any case', () => {
    const unset = loadConfig(base);
    assert.ok(unset.ok);
    assert.equal(unset.config.bot.defaultLocale, 'en-US');
    const set = loadConfig({ ...base, DEFAULT_LOCALE: 'zh-tw' });
    assert.ok(set.ok);
    assert.equal(set.config.bot.defaultLocale, 'zh-TW');
  });

  it('reports a language the bot does not speak as a configuration problem', () => {
    const result = loadConfig({ ...base, DEFAULT_LOCALE: 'fr-FR' });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => [p.setting, p.kind]),
      [['DEFAULT_LOCALE', 'invalid']],
    );
    assert.match(result.problems[0]!.expected, /en-US, zh-TW, zh-CN/);
  });
});
