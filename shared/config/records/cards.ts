import { number } from './kinds';

export const CARD_SETTINGS = {
  maxBytes: number({
    name: 'CARD_MAX_BYTES',
    default: 28 * 1024,
    min: 4 * 1024,
    max: 80 * 1024,
    integer: true,
    doc: 'Budget for one message, in bytes of UTF-8 JSON.',
  }),
  maxRows: number({ name: 'CARD_MAX_ROWS', default: 25, min: 1, max: 500, integer: true, doc: 'Most table rows shown in an answer card.' }),
  maxColumns: number({
    name: 'CARD_MAX_COLUMNS',
    default: 12,
    min: 1,
    max: 50,
    integer: true,
    doc: 'Most table columns shown in an answer card.',
  }),
} as const;
