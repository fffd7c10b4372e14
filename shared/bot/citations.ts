import type { GenieAnswer } from '../genie';
import type { MessageKey, Messages } from '../i18n';
import { card, type CardElement, plainText, safeProse, text } from './cards';

/** Teams' limits for citations (teams-ai.md): per message, and per citation's name and abstract. */
export const CITATION_LIMITS = Object.freeze({ perMessage: 20, nameChars: 80, abstractChars: 160 });
/** What the "How Genie answered" view keeps of the SQL and of each of Genie's thoughts, so the label stays small. */
const HOW_LIMITS = Object.freeze({ sqlChars: 3_000, thoughtChars: 600 });

export interface Citation {
  readonly '@type': 'Claim';
  readonly position: number;
  readonly appearance: {
    readonly '@type': 'DigitalDocument';
    readonly name: string;
    readonly abstract: string;
    /** A stringified Adaptive Card, opened in a dialog. */
    readonly text?: string;
  };
}

/** The one root entity Teams reads the "AI generated" label and the citations from (two of them: 400). */
export interface AiMessageEntity {
  readonly type: 'https://schema.org/Message';
  readonly '@type': 'Message';
  readonly '@context': 'https://schema.org';
  readonly additionalType: readonly ['AIGeneratedContent'];
  readonly citation?: readonly Citation[];
}

const THOUGHT_HEADINGS: Readonly<Record<string, MessageKey>> = {
  THOUGHT_TYPE_DESCRIPTION: 'citations.thought.description',
  THOUGHT_TYPE_UNDERSTANDING: 'citations.thought.understanding',
  THOUGHT_TYPE_DATA_SOURCING: 'citations.thought.dataSourcing',
  THOUGHT_TYPE_INSTRUCTIONS: 'citations.thought.instructions',
  THOUGHT_TYPE_STEPS: 'citations.thought.steps',
};

function cut(value: string, max: number): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

const IDENTIFIER = '(?:`[^`\\n]+`|[A-Za-z_][\\w$-]*)';
/** Three-part names (catalog.schema.table), as Genie names Unity Catalog tables in its thoughts; "e.g." is none. */
const QUALIFIED_NAME = new RegExp(`${IDENTIFIER}(?:\\.${IDENTIFIER}){2}`, 'g');
/** Names after FROM or JOIN in SQL; a subquery's "(" does not match. */
const SQL_SOURCE = new RegExp(`\\b(?:FROM|JOIN)\\s+(${IDENTIFIER}(?:\\.${IDENTIFIER}){0,2})`, 'gi');

function unique(names: Iterable<string>): string[] {
  return [...new Set([...names].map((name) => name.replace(/`/g, '')))];
}

/** The tables Genie used: named in its data-sourcing thought, else read from the SQL. */
export function tablesOf(query: NonNullable<GenieAnswer['query']>): string[] {
  const sourcing = query.thoughts?.find((t) => t.type === 'THOUGHT_TYPE_DATA_SOURCING')?.content;
  const named = sourcing ? unique(sourcing.match(QUALIFIED_NAME) ?? []) : [];
  if (named.length) return named;
  return unique([...(query.sql ?? '').matchAll(SQL_SOURCE)].map((m) => m[1] ?? '')).filter(Boolean);
}

/** "How Genie answered": Genie's reasoning in its order, then the SQL, as a card Teams opens from the citation. */
function howGenieAnswered(query: NonNullable<GenieAnswer['query']>, messages: Messages): string {
  const body: CardElement[] = [text(messages.text('citations.how.title'), { weight: 'Bolder', size: 'Medium' })];
  for (const thought of query.thoughts ?? []) {
    const heading = THOUGHT_HEADINGS[thought.type];
    if (heading) body.push(text(messages.text(heading), { weight: 'Bolder', spacing: 'Medium' }));
    body.push(text(safeProse(cut(thought.content, HOW_LIMITS.thoughtChars))));
  }
  if (query.sql) {
    body.push(text(messages.text('citations.how.sql'), { weight: 'Bolder', spacing: 'Medium' }));
    const sql = query.sql.length > HOW_LIMITS.sqlChars ? `${query.sql.slice(0, HOW_LIMITS.sqlChars)}…` : query.sql;
    body.push(text(plainText(sql), { fontType: 'Monospace', size: 'Small' }));
  }
  return JSON.stringify(card(body));
}

export interface AiLabel {
  readonly entity: AiMessageEntity;
  /** The message text that refers to the citations (`Sources: [1] [2]`); absent without citations. */
  readonly text?: string;
}

/** The space an answer came from, as Genie titles and describes it (named when a deployment offers several). */
export interface AnswerSpace {
  readonly title: string;
  readonly description?: string;
}

/**
 * The AI label for a Genie answer, with citations for where it came from: the tables Genie used,
 * the space instructions it followed, the query itself (whose detail is "How Genie answered"), and
 * the space, when given.
 */
export function aiLabelFor(answer: GenieAnswer, messages: Messages, space?: AnswerSpace): AiLabel {
  const query = answer.query;
  const sources: Omit<Citation['appearance'], '@type'>[] = [];
  if (query) {
    const instructions = query.thoughts?.find((t) => t.type === 'THOUGHT_TYPE_INSTRUCTIONS')?.content;
    const tables = tablesOf(query).slice(0, CITATION_LIMITS.perMessage - (instructions ? 2 : 1) - (space ? 1 : 0));
    for (const table of tables) sources.push({ name: table, abstract: messages.text('citations.table.abstract') });
    if (instructions) sources.push({ name: messages.text('citations.instructions.name'), abstract: instructions });
    sources.push({
      name: query.title ?? messages.text('citations.query.name'),
      abstract: query.description || messages.text('citations.query.abstract'),
      text: howGenieAnswered(query, messages),
    });
    if (space) sources.push({ name: space.title, abstract: space.description || messages.text('citations.space.abstract') });
  }
  const citation = sources.map((source, i): Citation => ({
    '@type': 'Claim',
    position: i + 1,
    appearance: {
      '@type': 'DigitalDocument',
      name: cut(source.name, CITATION_LIMITS.nameChars),
      abstract: cut(source.abstract, CITATION_LIMITS.abstractChars),
      ...(source.text ? { text: source.text } : {}),
    },
  }));
  const entity: AiMessageEntity = {
    type: 'https://schema.org/Message',
    '@type': 'Message',
    '@context': 'https://schema.org',
    additionalType: ['AIGeneratedContent'],
    ...(citation.length ? { citation } : {}),
  };
  if (!citation.length) return { entity };
  return { entity, text: messages.text('citations.sources', { markers: citation.map((c) => `[${c.position}]`).join(' ') }) };
}
