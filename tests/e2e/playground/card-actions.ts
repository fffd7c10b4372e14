/**
 * Card actions as Teams sends them, on the wire between page and Playground server: value-only submits
 * pass through; imBack and messageBack (which Playground 0.2.28 cannot send) are answered here instead.
 */
import type { Route } from 'playwright-core';

import { httpGetText, httpPostJson } from './http';
import { type PageState, record } from './page-state';

interface SubmitBody {
  conversation?: { id?: string };
  replyToId?: string;
  from?: { id?: string };
  value?: Record<string, unknown>;
}

interface TeamsSubmitData {
  type?: string;
  value?: unknown;
  text?: string;
  displayText?: string;
}

export async function onSubmit(route: Route, state: PageState, teams: boolean): Promise<void> {
  const body = (route.request().postDataJSON() ?? {}) as SubmitBody;
  const value = body.value ?? {};
  const msteams = (value.msteams ?? value.msTeams) as TeamsSubmitData | undefined;
  if (!teams || msteams === undefined || (msteams.type !== 'imBack' && msteams.type !== 'messageBack')) {
    record(state, { kind: 'submit', value });
    await route.continue();
    return;
  }
  // Teams never sends these as a value-only submit: drop the Playground's request and do what Teams does.
  await route.fulfill({ status: 200, body: '' });
  if (msteams.type === 'imBack') {
    record(state, { kind: 'imBack', text: typeof msteams.value === 'string' ? msteams.value : JSON.stringify(msteams.value) });
    return;
  }
  // messageBack: text and value reach the bot; the rest of `data` is merged under the value, like Teams.
  const { msteams: _a, msTeams: _b, ...rest } = value;
  const parsed: unknown = typeof msteams.value === 'string' ? safeJson(msteams.value) : msteams.value;
  const merged = typeof parsed === 'object' && parsed !== null ? { ...rest, ...(parsed as Record<string, unknown>) } : { ...rest };
  const text = msteams.text ?? '';
  const origin = new URL(route.request().url()).origin;
  const conversationId = body.conversation?.id ?? '';
  const template = await httpGetText(
    `${origin}/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`,
    5_000,
  );
  const activity = {
    ...(JSON.parse(template.body) as Record<string, unknown>),
    type: 'message',
    text,
    value: merged,
    replyToId: body.replyToId,
  };
  const status = await httpPostJson(`${origin}/_internal/v1/customActivities`, activity);
  if (status !== 200) state.pageErrors.push(`messageBack emulation: customActivities answered ${status}`);
  record(state, { kind: 'messageBack', text, displayText: msteams.displayText, value: merged });
}

export async function onInvoke(route: Route, state: PageState): Promise<void> {
  const body = (route.request().postDataJSON() ?? {}) as { name?: string; value?: unknown };
  record(state, { kind: 'invoke', name: body.name ?? '', value: body.value });
  await route.continue();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
