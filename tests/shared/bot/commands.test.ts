import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isQuestion, parseCommand, parseUse } from '../../../shared/bot';

describe('space commands', () => {
  it('reads `spaces` and `use <alias>` in every language, tolerant of case, width and a slash', () => {
    for (const word of ['spaces', 'Spaces', '/spaces', '空間', '空间', 'ｓｐａｃｅｓ']) assert.equal(parseCommand(word), 'spaces', word);
    const cases: [string, string | undefined][] = [
      ['use ops', 'ops'],
      ['Use  Sales.', 'sales'],
      ['/use ops', 'ops'],
      ['switch to ops', 'ops'],
      ['切換到 ops', 'ops'],
      ['切换到ops', 'ops'],
      ['使用 ops', 'ops'],
      ['use', ''],
      ['use of discounts by region', undefined],
      ['useful metrics', undefined],
      ['top products', undefined],
    ];
    for (const [text, alias] of cases) assert.equal(parseUse(text), alias, text);
  });

  it('counts `use <alias>` towards the per-person rate (with one space it goes to Genie), but not `spaces`', () => {
    const message = (text: string) => ({ type: 'message', text, recipient: { id: 'bot', name: 'Genie' } });
    assert.equal(isQuestion(message('spaces')), false);
    assert.equal(isQuestion(message('use')), false);
    assert.equal(isQuestion(message('use ops')), true);
  });
});
