import { type Command, commandNamed, commandWords } from '../i18n';

/** Lower case, NFKC (full-width letters), single spaces, no leading slash or trailing punctuation. */
function normalized(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/^\//, '')
    .replace(/(?<=.)[.!?。]+$/, '');
}

/**
 * A command word of any shipped language (`help`, `說明`, `new chat`, `重置`…), tolerant of case,
 * full-width letters and spaces (NFKC folds them), a leading slash and trailing punctuation.
 */
export function parseCommand(text: string): Command | undefined {
  return commandNamed(normalized(text));
}

/**
 * `use <alias>` in any shipped language (`use sales`, `切換到 sales`, `切换到sales`): the alias typed,
 * or '' for the word alone. Undefined when the text is no such command: more than one word after
 * it (`use of discounts by region`) is a question.
 */
export function parseUse(text: string): string | undefined {
  const said = normalized(text);
  for (const word of commandWords('use')) {
    if (!said.startsWith(word)) continue;
    const rest = said.slice(word.length);
    // After an English word a space must follow; after a Chinese one the alias may follow at once.
    if (rest !== '' && /[a-z]$/.test(word) && !rest.startsWith(' ')) continue;
    const alias = rest.trim();
    return /\s/.test(alias) ? undefined : alias;
  }
  return undefined;
}
