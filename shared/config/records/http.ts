import { number } from './kinds';

export const HTTP_SETTINGS = {
  connectTimeoutMs: number({
    name: 'HTTP_CONNECT_TIMEOUT_MS',
    default: 5_000,
    min: 100,
    max: 120_000,
    integer: true,
    doc: 'TCP connect plus TLS handshake.',
  }),
  readTimeoutMs: number({
    name: 'HTTP_READ_TIMEOUT_MS',
    default: 10_000,
    min: 100,
    max: 600_000,
    integer: true,
    doc: 'Longest silence while waiting for response bytes.',
  }),
  totalTimeoutMs: number({
    name: 'HTTP_TOTAL_TIMEOUT_MS',
    default: 30_000,
    min: 100,
    max: 600_000,
    integer: true,
    doc: 'Whole request, first byte sent to last byte read.',
  }),
  maxSockets: number({
    name: 'HTTP_MAX_SOCKETS',
    default: 100,
    min: 1,
    max: 1_000,
    integer: true,
    doc: 'Sockets in the shared pool, all hosts.',
  }),
  maxSocketsPerHost: number({
    name: 'HTTP_MAX_SOCKETS_PER_HOST',
    default: 30,
    min: 1,
    max: 1_000,
    integer: true,
    doc: 'Sockets in the shared pool per host.',
  }),
  freeSocketTimeoutMs: number({
    name: 'HTTP_FREE_SOCKET_TIMEOUT_MS',
    default: 30_000,
    min: 1_000,
    max: 230_000,
    integer: true,
    doc: 'Idle pooled sockets are closed after this long (Azure drops idle flows at 240 s).',
  }),
} as const;
