/**
 * Text in a card's TextBlocks is read as (a subset of CommonMark) markdown, and Teams turns bare
 * URLs into links. Data (cells, column names, titles, SQL) must read exactly as written, so its
 * markdown is escaped; Genie's prose keeps its emphasis and lists but links only to the workspace.
 * Nothing a query returns can become a link, an image, a mention or emphasis in a trusted bot's card.
 */

/** Zero-width space: breaks a URL or template so nothing recognises it, invisible to the reader. */
const ZWSP = '\u200B';

/** Longer runs without a space get break opportunities, so one word cannot stretch a card. */
const LONG_WORD_CHARS = 48;

const URL_PATTERN = /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s<>()[\]]*|\bwww\.[^\s<>()[\]]+/gi;

/** A URL that Teams would not recognise any more (it reads the same). */
function defuseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*):\/\//i, `$1:${ZWSP}//`).replace(/^www\./i, `www${ZWSP}.`);
}

function breakLongWords(text: string): string {
  return text.replace(new RegExp(`\\S{${LONG_WORD_CHARS + 1},}`, 'g'), (word) =>
    word.match(new RegExp(`[^]{1,${LONG_WORD_CHARS}}`, 'g'))!.join(ZWSP),
  );
}

/** Markup that works whatever else the text is: templates, HTML-like tags (`<at>`), autolinks. */
function defuseAlways(text: string): string {
  return text.replace(/\{\{/g, `{${ZWSP}{`).replace(/<(?=[a-z/!?])/gi, '\\<');
}

/** Data as plain text: every markdown construct escaped, URLs defused, long words breakable. */
export function plainText(value: string): string {
  const escaped = value
    .replace(/\\(?=[!-/:-@[-`{-~])/g, '\\\\')
    .replace(/[*[\]`~]/g, '\\$&')
    // `_` inside a word (order_date) is never emphasis; only at a word's edge it could be.
    .replace(/(^|[^\p{L}\p{N}])_|_(?=[^\p{L}\p{N}]|$)/gu, (match) => match.replace('_', '\\_'))
    // List items and quotes; a negative number ("-1,234") is no list item and stays as it is.
    .replace(/^(\s*)([-+](?=\s)|>)/gm, '$1\\$2')
    .replace(/^(\s*\d{1,9})([.)])(?=\s|$)/gm, '$1\\$2');
  return breakLongWords(defuseAlways(escaped).replace(URL_PATTERN, defuseUrl));
}

const MARKDOWN_LINK = /(!?)\[([^\]\n]{0,500})\]\(\s*<?([^\s()<>]*)>?(?:\s+"[^"\n]*")?\s*\)/g;

function isOnOrigin(url: string, origin: string | undefined): boolean {
  if (!origin || !URL.canParse(url)) return false;
  return new URL(url).origin === origin;
}

/** Genie's prose outside links: its emphasis and lists kept, anything that could link defused. */
function proseSegment(text: string, origin: string | undefined): string {
  const safe = defuseAlways(text)
    // A link reference definition ("[1]: https://…") would turn any "[x][1]" elsewhere into a link.
    .replace(/^(\s{0,3})\[(?=[^\]\n]*\]:)/gm, '$1\\[')
    .replace(URL_PATTERN, (url) => (isOnOrigin(url, origin) ? url : defuseUrl(url)));
  return safe.replace(/\S+/g, (word) => (URL.canParse(word) && isOnOrigin(word, origin) ? word : breakLongWords(word)));
}

/**
 * Genie's own words (answer text, clarifications): markdown emphasis and lists as Genie wrote
 * them; links kept only when they point at `linkOrigin` (the workspace), others reduced to their
 * text; images reduced to their alt text.
 */
export function safeProse(value: string, linkOrigin?: string): string {
  let out = '';
  let last = 0;
  for (const match of value.matchAll(MARKDOWN_LINK)) {
    const [whole, bang, label = '', url = ''] = match;
    out += proseSegment(value.slice(last, match.index), linkOrigin);
    out += !bang && isOnOrigin(url, linkOrigin) ? `[${plainText(label)}](${url})` : plainText(label);
    last = match.index + whole.length;
  }
  return out + proseSegment(value.slice(last), linkOrigin);
}
