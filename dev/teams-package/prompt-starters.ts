import { BOT_SETTINGS } from '../../shared/config';

/**
 * Teams offers a bot's personal-scope commands as prompt starters. The schema allows 12 commands per
 * list; `help` and `new` take two, so at most 10 example questions.
 */
export const MAX_PROMPT_STARTERS = 10;

/** SAMPLE_QUESTIONS as the bot reads it (same separator, same trimming), the first ten, each within a command title's 128 characters. */
export function promptStartersFrom(raw: string | undefined): string[] {
  const questions = raw === undefined ? [] : (BOT_SETTINGS.sampleQuestions.parse(raw) ?? []);
  return questions.filter((question) => question.length <= 128).slice(0, MAX_PROMPT_STARTERS);
}

interface CommandList {
  commands?: { title: string; description: string }[];
}

/**
 * The manifest with the example questions after `help` and `new` in its one command list. Title and
 * description are both the question: whichever Teams puts in the compose box, the question is what is sent.
 */
export function withPromptStarters(manifest: Record<string, unknown>, questions: readonly string[]): Record<string, unknown> {
  if (!questions.length) return manifest;
  const bots = manifest.bots as { commandLists?: CommandList[] }[];
  const [bot, ...otherBots] = bots;
  const [list, ...otherLists] = bot?.commandLists ?? [];
  const commands = [...(list?.commands ?? []), ...questions.map((question) => ({ title: question, description: question }))];
  return { ...manifest, bots: [{ ...bot, commandLists: [{ ...list, commands }, ...otherLists] }, ...otherBots] };
}

/**
 * The language file's entries for the prompt starters: the question as the operator wrote it, in every
 * language, as the welcome card shows it (the questions are about the operator's data, in their words;
 * there is no translation to give). Without them the package's localization check fails by design.
 */
export function promptStarterTranslations(manifest: Record<string, unknown>, questions: readonly string[]): Record<string, string> {
  const bots = manifest.bots as { commandLists?: CommandList[] }[];
  const commands = bots[0]?.commandLists?.[0]?.commands ?? [];
  const first = commands.length - questions.length;
  return Object.fromEntries(
    questions.flatMap((question, i) => [
      [`bots[0].commandLists[0].commands[${first + i}].title`, question],
      [`bots[0].commandLists[0].commands[${first + i}].description`, question],
    ]),
  );
}
