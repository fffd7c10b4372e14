import { Entity as ENTITY_MAPPER } from 'botframework-connector/lib/connectorApi/models/mappers';

/**
 * botframework-connector 4.23.3 serializes each `entities` entry with a mapper that names only
 * `type`, `text` and `mentioned`, and drops every other field before the activity leaves
 * (botbuilder-js #4902): the AI label, citations and streaminfo would reach Teams as `{ type }`.
 * Letting that one mapper pass unnamed fields through unchanged fixes every send, reply and update
 * at once and keeps botbuilder's client, authentication and our retry layer as they are.
 *
 * Remove when a botframework-connector release after 4.23.3 carries the fix (#4903): delete this
 * file and its call, upgrade, and run tests/shared/bot/outbound-entities.test.ts; it checks what
 * the connector receives. (The package is pinned exactly in package.json for this reason.)
 */
export function keepEntityFields(): void {
  ENTITY_MAPPER.type.additionalProperties ??= { type: { name: 'any' } };
}
