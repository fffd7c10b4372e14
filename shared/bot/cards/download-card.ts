import type { DownloadState } from '../../genie';
import type { Messages } from '../../i18n';
import { type AdaptiveCard, card, type CardElement, text } from './elements';
import { plainText } from './escape';

/** How the formats Genie names read to a person; anything else is shown as Genie wrote it. */
const FORMAT_NAMES: Readonly<Record<string, string>> = { CSV: 'CSV', JSON_ARRAY: 'JSON', ARROW_STREAM: 'Apache Arrow' };

/**
 * The finished download: how many rows, in what format, how long the link works and that anyone
 * holding it can open it, then one button per file. The URLs are Genie's presigned links only
 * (checked https or loopback by the Genie client), behind buttons rather than in text, so Teams
 * does not fetch them for a link preview.
 */
export function renderDownloadCard(
  ready: Extract<DownloadState, { kind: 'ready' }>,
  rows: number,
  messages: Messages,
  now: number,
): AdaptiveCard {
  const format = FORMAT_NAMES[ready.format] ?? plainText(ready.format);
  const expiries = ready.links.flatMap((link) => (link.expiresAt === undefined ? [] : [link.expiresAt]));
  // The earliest expiry, rounded down: the person is never told a link works longer than it does.
  const minutes = expiries.length === ready.links.length ? Math.floor((Math.min(...expiries) - now) / 60_000) : 0;
  const parts = ready.links.length;
  const buttons: CardElement[] = ready.links.map((link, i) => ({
    type: 'Action.OpenUrl',
    title: parts === 1 ? messages.text('download.open') : messages.text('download.openPart', { part: i + 1, parts }),
    url: link.url,
  }));
  return card([
    text(messages.text('download.ready', { rows, format }), { weight: 'Bolder' }),
    text(minutes >= 1 ? messages.text('download.expiresIn', { minutes }) : messages.text('download.expiresSoon'), {
      isSubtle: true,
      size: 'Small',
    }),
    { type: 'ActionSet', actions: buttons },
  ]);
}
