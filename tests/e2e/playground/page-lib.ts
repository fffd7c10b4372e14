/**
 * In-page helpers, installed with addInitScript: serialised into the page, so self-contained and
 * typed against a minimal DOM. Page functions reach them as `(globalThis as unknown as E2EGlobal).__e2e`.
 */

/** A message in the personal or group chat view. */
export interface ChatMessage {
  /** Position among all messages (user and bot) of the open chat. */
  readonly index: number;
  readonly from: 'user' | 'bot';
  /** The author shown above bot messages; null for the user's own. */
  readonly author: string | null;
  /** Visible text of the body, cards included (innerText). */
  readonly text: string;
  /** Adaptive Cards in the message. */
  readonly cards: number;
  /** The Playground's warnings under the message (e.g. "Full width control is not supported"). */
  readonly notes: string;
}

/** A post in the Teams channel view, with its thread. */
export interface ChannelPost {
  readonly index: number;
  readonly author: string;
  readonly text: string;
  readonly replies: readonly ThreadReply[];
}

export interface ThreadReply {
  readonly index: number;
  readonly author: string;
  readonly text: string;
  readonly cards: number;
}

export interface MiniElement {
  readonly children: ArrayLike<MiniElement>;
  readonly parentElement: MiniElement | null;
  readonly nextElementSibling: MiniElement | null;
  readonly innerText?: string;
  readonly textContent: string | null;
  querySelector(selector: string): MiniElement | null;
  querySelectorAll(selector: string): ArrayLike<MiniElement>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  closest(selector: string): MiniElement | null;
  contains(other: MiniElement): boolean;
}

interface PageLib {
  readChat(): ChatMessage[];
  readChannel(): ChannelPost[];
  readLog(): string[];
  botTyping(botName: string): boolean;
  markChatPane(): boolean;
}

interface PageGlobals {
  document: MiniElement & { body: MiniElement };
  __e2e?: PageLib;
}

export function installPageLib(options: { freezePatch: boolean }): void {
  const g = globalThis as unknown as PageGlobals & { Object: ObjectConstructor };
  if (options.freezePatch) {
    // The app deep-freezes card JSON (immer); its card renderer then writes into the submit data
    // (`msTeams`) and its `msteams` object (`type`) and throws. Leave exactly those objects unfrozen.
    const freeze = Object.freeze.bind(Object);
    const teamsTypes = ['imBack', 'messageBack', 'invoke', 'signin', 'task/fetch'];
    const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
    g.Object.freeze = <T>(o: T): T => {
      if (typeof o !== 'object' || o === null) return freeze(o);
      const type = (o as { type?: unknown }).type;
      const teamsData = has(o, 'msteams') || has(o, 'msTeams') || (typeof type === 'string' && teamsTypes.includes(type));
      return teamsData ? o : freeze(o);
    };
  }
  const textOf = (el: MiniElement | null | undefined): string =>
    el === null || el === undefined ? '' : (el.innerText ?? el.textContent ?? '').replace(/\s+\n/g, '\n').trim();
  const arr = (list: ArrayLike<MiniElement>): MiniElement[] => Array.prototype.slice.call(list) as MiniElement[];
  const readChat = (): ChatMessage[] => {
    const headers = arr(g.document.querySelectorAll('[aria-label="Message header"]'));
    const out: ChatMessage[] = [];
    for (const header of headers) {
      const container = header.parentElement;
      if (container === null) continue;
      const author = header.querySelector('[aria-label="Message author"]');
      const body = container.children[1];
      const rest = arr(container.children).slice(2);
      out.push({
        index: out.length,
        from: author === null ? 'user' : 'bot',
        author: author === null ? null : textOf(author),
        text: textOf(body),
        cards: body === undefined ? 0 : body.querySelectorAll('.ac-adaptiveCard').length,
        notes: rest
          .map((r) => textOf(r))
          .join('\n')
          .trim(),
      });
    }
    return out;
  };
  const readChannel = (): ChannelPost[] => {
    const posts = arr(g.document.querySelectorAll('.fui-Card[role="group"]')).filter(
      (card) => card.querySelector('.fui-CardFooter [aria-label="Send Message"]') !== null,
    );
    return posts.map((post, index) => {
      const header = post.querySelector('.fui-CardHeader');
      const footer = post.querySelector('.fui-CardFooter');
      const headerName = header === null ? '' : textOf(header.querySelector('.fui-Text'));
      const postText = arr(post.children).find((c) => c !== header && (c.getAttribute('class') ?? '').includes('fui-Text'));
      const replies: ThreadReply[] = [];
      for (const avatar of arr(post.querySelectorAll('.fui-Avatar[role="img"]'))) {
        if ((header !== null && header.contains(avatar)) || (footer !== null && footer.contains(avatar))) continue;
        const replyHeader = avatar.parentElement;
        const body = replyHeader?.nextElementSibling ?? null;
        replies.push({
          index: replies.length,
          author: avatar.getAttribute('aria-label') ?? '',
          text: textOf(body),
          cards: body === null ? 0 : body.querySelectorAll('.ac-adaptiveCard').length,
        });
      }
      return { index, author: headerName, text: textOf(postText), replies };
    });
  };
  const logPanel = (): MiniElement | null => g.document.querySelector('[contenteditable="true"][spellcheck="false"]');
  const readLog = (): string[] => {
    const panel = logPanel();
    return panel === null ? [] : arr(panel.children).map((row) => textOf(row).replace(/\s+/g, ' '));
  };
  const botTyping = (botName: string): boolean => {
    // The indicator is the bot's avatar (plus three dots) outside any message, tree item or post.
    for (const avatar of arr(g.document.querySelectorAll(`.fui-Avatar[aria-label="${botName}"]`))) {
      if (avatar.closest('[role="tree"], [role="treeitem"], .fui-Card, [role="listbox"]') !== null) continue;
      let inMessage = false;
      for (let el = avatar.parentElement; el !== null; el = el.parentElement) {
        if (arr(el.children).some((c) => c.getAttribute('aria-label') === 'Message header')) {
          inMessage = true;
          break;
        }
      }
      if (!inMessage) return true;
    }
    return false;
  };
  const markChatPane = (): boolean => {
    // The pane is the largest ancestor of a compose box that holds neither the sidebar nor the log.
    const region = g.document.querySelector('[aria-label="Chat and Teams Channel"]');
    const log = logPanel();
    let pane: MiniElement | null = null;
    for (let el = g.document.querySelector('[data-lexical-editor="true"]'); el !== null; el = el.parentElement) {
      if ((region !== null && el.contains(region)) || (log !== null && el.contains(log))) break;
      pane = el;
    }
    if (pane === null) return false;
    pane.setAttribute('data-e2e', 'chat-pane');
    return true;
  };
  g.__e2e = { readChat, readChannel, readLog, botTyping, markChatPane };
}

/** How page functions reach the helpers: `(globalThis as unknown as E2EGlobal).__e2e` (no closures in the page). */
export interface E2EGlobal {
  __e2e: PageLib;
}
