import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { plainText, renderAnswerCard, safeProse } from '../../../shared/bot';
import type { GenieAnswer } from '../../../shared/genie';

const WORKSPACE = 'https://adb-1234567890123456.7.azuredatabricks.net';

/** Whether markdown (CommonMark, as Adaptive Cards read TextBlocks) or Teams would make a link of `text`. */
function hasLink(text: string): boolean {
  return /(^|[^\\])\[[^\]]*(^|[^\\])\]\(/.test(text) || /\b[a-z]+:\/\//i.test(text) || /\bwww\./i.test(text) || /(^|[^\\])</.test(text);
}

const HOSTILE = [
  '[Sign in again](https://evil.example/login)',
  '![tracker](https://evil.example/pixel.png)',
  'visit https://evil.example/login now',
  'www.evil.example',
  '<https://evil.example>',
  '<at>Everyone</at>',
  '**urgent** _act now_ ~~gone~~ `code`',
  '- bullet\n1. numbered\n> quoted',
  '{{DATE(2030-01-01T00:00:00Z, SHORT)}}',
  'x'.repeat(500),
];

describe('card text cannot carry planted markup', () => {
  it('escapes every construct in data, so it reads as written', () => {
    for (const value of HOSTILE) {
      const safe = plainText(value);
      assert.ok(!hasLink(safe), `no link in ${JSON.stringify(safe)}`);
      assert.ok(!/(^|[^\\])\*\*/.test(safe) && !/(^|[^\\])(^|\s)_/.test(safe), `no emphasis in ${JSON.stringify(safe)}`);
      assert.ok(!/^\s*[-+>]\s/m.test(safe) && !/^\s*\d+\.\s/m.test(safe), `no list or quote in ${JSON.stringify(safe)}`);
      assert.ok(!safe.includes('{{'), 'no template function');
      assert.ok(
        safe.split(/[\s\u200B]/).every((word) => word.length <= 60),
        'very long words can break',
      );
      // What a reader sees once markdown escapes are applied and zero-width spaces are invisible.
      const shown = safe.replace(/\\([!-/:-@[-`{-~])/g, '$1').replace(/\u200B/g, '');
      assert.equal(shown, value);
    }
  });

  it('leaves ordinary values as they are', () => {
    for (const value of ['order_date', 'Widget-A', '-1,234.56', '12.5%', 'EMEA (North)', "O'Brien & Sons"])
      assert.equal(plainText(value), value);
  });

  it('keeps Genie’s emphasis, but links only to the workspace', () => {
    const prose = safeProse(
      `Revenue is **up** 5%. See [the dashboard](${WORKSPACE}/sql/dashboards/1) or [sign in](https://evil.example/login), ![x](https://evil.example/p.png) https://evil.example/x ${WORKSPACE}/genie/rooms/1\n[1]: https://evil.example\n<at>Bob</at>`,
      WORKSPACE,
    );
    assert.match(prose, /\*\*up\*\*/);
    assert.ok(prose.includes(`[the dashboard](${WORKSPACE}/sql/dashboards/1)`));
    assert.ok(prose.includes(`${WORKSPACE}/genie/rooms/1`));
    const withoutWorkspace = prose.split(WORKSPACE).join('');
    assert.ok(!/\]\(/.test(withoutWorkspace.replace(/\[the dashboard\]\(\/sql\/dashboards\/1\)/, '')), prose);
    assert.ok(!/evil\.example\/login\)/.test(prose) && !/https:\/\/evil/.test(prose), prose);
    assert.ok(!/(^|[^\\])<at>/.test(prose), 'no mention tag');
    assert.ok(!/^\[1\]:/m.test(prose), 'no link reference definition');
    assert.ok(!safeProse('[x](https://evil.example)').includes(']('), 'no links at all without a workspace origin');
  });

  it('escapes cells, column names, titles and descriptions in a rendered answer', () => {
    const answer: GenieAnswer = {
      ref: { spaceId: 's', conversationId: 'c', messageId: 'm' },
      text: 'Here is [your data](https://evil.example).',
      suggestedQuestions: [],
      query: { title: '[Title](https://evil.example)', description: '**Urgent**: visit www.evil.example', sql: 'SELECT * FROM t' },
      table: {
        columns: [{ name: '[col](https://evil.example)', kind: 'string' }],
        rows: [['[Sign in again](https://evil.example/login)'], ['<at>Everyone</at>']],
        totalRowCount: 2,
        truncated: false,
      },
    } as unknown as GenieAnswer;
    const json = JSON.stringify(
      renderAnswerCard(answer, { maxBytes: 28_672, maxRows: 25, maxColumns: 12, locale: 'en-US', linkOrigin: WORKSPACE }),
    );
    assert.ok(!json.includes('](https://evil'), json);
    assert.ok(!json.includes('https://evil'), 'no clickable evil URL anywhere');
    assert.ok(!json.includes('www.evil'), 'no bare www link');
    assert.ok(!/[^\\]<at>/.test(json), 'no mention');
    assert.ok(json.includes('SELECT \\\\* FROM t'), 'SQL reads as written');
  });
});
