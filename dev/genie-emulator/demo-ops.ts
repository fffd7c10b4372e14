import { querySteps } from './demo';
import type { EmulatedSpace, ScriptedAnswer, TableColumnSpec } from './types';

/** The demo operations space: served beside the sales one, so switching spaces shows other data. */
export const DEMO_OPS_SPACE_ID = '01f0e1a5c0de4e6a9d5b7e1d2a3c4b60';

export const DEMO_OPS_SPACE: EmulatedSpace = {
  spaceId: DEMO_OPS_SPACE_ID,
  title: 'Operations (Genie emulator demo)',
  description: 'A small sample operations data set served by the local Genie emulator: warehouses, shipments and incidents.',
  demo: 'ops',
};

/** The operations space's questions (its help shows none: only the default space has SAMPLE_QUESTIONS). */
export const DEMO_OPS_QUESTIONS: string[] = ['Late shipments by warehouse', 'Open incidents by severity'];

const str = (name: string): TableColumnSpec => ({ name, type_name: 'STRING' });
const long = (name: string): TableColumnSpec => ({ name, type_name: 'LONG' });
const double = (name: string): TableColumnSpec => ({ name, type_name: 'DOUBLE' });

export function demoOpsAnswers(): [string, ScriptedAnswer][] {
  const [late, incidents] = DEMO_OPS_QUESTIONS as [string, string];
  return [
    [
      late,
      {
        steps: querySteps(2_200),
        queries: [
          {
            title: 'Late shipments by warehouse',
            description: 'Shipments delivered after their promised date in the last 30 days, per warehouse.',
            sql: 'SELECT warehouse, COUNT(*) AS late_shipments, AVG(days_late) AS avg_days_late\nFROM demo.ops.shipments\nWHERE delivered_at > promised_at AND shipped_at >= current_date() - INTERVAL 30 DAYS\nGROUP BY warehouse\nORDER BY late_shipments DESC',
            thoughts: [
              { type: 'THOUGHT_TYPE_DATA_SOURCING', content: 'Shipments and their promised dates are in `demo.ops.shipments`.' },
              { type: 'THOUGHT_TYPE_INSTRUCTIONS', content: 'Late means delivered after the promised date.' },
            ],
            result: {
              columns: [str('warehouse'), long('late_shipments'), double('avg_days_late')],
              rows: [
                ['Rotterdam', '142', '1.8'],
                ['Dallas', '97', '2.4'],
                ['Singapore', '63', '1.2'],
                ['Sao Paulo', '41', '3.1'],
              ],
            },
          },
        ],
        text: 'Rotterdam had the most late shipments in the last 30 days (142), while Sao Paulo’s were the latest on average.',
        suggestedQuestions: [incidents],
      },
    ],
    [
      incidents,
      {
        steps: querySteps(1_800),
        queries: [
          {
            title: 'Open incidents by severity',
            description: 'Incidents not yet resolved, per severity.',
            sql: "SELECT severity, COUNT(*) AS open_incidents\nFROM demo.ops.incidents\nWHERE status <> 'resolved'\nGROUP BY severity\nORDER BY open_incidents DESC",
            result: {
              columns: [str('severity'), long('open_incidents')],
              rows: [
                ['low', '18'],
                ['medium', '9'],
                ['high', '3'],
                ['critical', '1'],
              ],
            },
          },
        ],
        text: 'There are 31 open incidents; one is critical.',
        suggestedQuestions: [late],
      },
    ],
  ];
}
