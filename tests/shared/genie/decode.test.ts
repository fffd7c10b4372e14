import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeStatement, expandScientific, type StatementResponse } from '../../../shared/genie';

function statement(
  columns: [string, string, string?][],
  rows: (string | null)[][],
  extra: Partial<StatementResponse['manifest']> = {},
): StatementResponse {
  return {
    statement_id: 's',
    status: { state: 'SUCCEEDED' },
    manifest: {
      format: 'JSON_ARRAY',
      schema: {
        column_count: columns.length,
        columns: columns.map(([name, type_name, type_text], position) => ({
          name,
          type_name,
          type_text: type_text ?? type_name,
          position,
        })),
      },
      total_row_count: rows.length,
      ...extra,
    },
    result: { chunk_index: 0, row_offset: 0, row_count: rows.length, data_array: rows },
  };
}

describe('expandScientific', () => {
  const cases: [string, string][] = [
    ['1.5E7', '15000000'],
    ['1.5e+7', '15000000'],
    ['-2.5E-3', '-0.0025'],
    ['1.2345678901234567890E19', '12345678901234567890'],
    ['9.99E2', '999'],
    ['0.000E0', '0'],
    ['-0E5', '0'],
    ['123.45', '123.45'],
    ['7E0', '7'],
    ['1.25E1', '12.5'],
  ];
  for (const [input, expected] of cases) {
    it(`writes ${input} as ${expected}`, () => assert.equal(expandScientific(input), expected));
  }
});

describe('decodeStatement', () => {
  it('decodes every cell by its column type, nulls included', () => {
    const table = decodeStatement(
      statement(
        [
          ['region', 'STRING'],
          ['revenue', 'DECIMAL', 'DECIMAL(38,2)'],
          ['orders', 'LONG'],
          ['share', 'DOUBLE'],
          ['active', 'BOOLEAN'],
          ['day', 'DATE'],
          ['at', 'TIMESTAMP'],
          ['n', 'INT'],
        ],
        [
          ['EMEA', '1250000.00', '42', '0.25', 'true', '2024-01-31', '2024-01-31T10:00:00.000Z', '7'],
          [null, null, null, null, null, null, null, null],
          ['AMER', '1.5E7', '9223372036854775807', '1.0E-3', 'false', '2024-02-29', '2024-02-29T00:00:00Z', '1.2E1'],
        ],
      ),
    );
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.kind]),
      [
        ['region', 'string'],
        ['revenue', 'decimal'],
        ['orders', 'integer'],
        ['share', 'float'],
        ['active', 'boolean'],
        ['day', 'date'],
        ['at', 'timestamp'],
        ['n', 'integer'],
      ],
    );
    assert.equal(table.columns[1]?.scale, 2);
    assert.deepEqual(table.rows[0], ['EMEA', '1250000.00', 42, 0.25, true, '2024-01-31', '2024-01-31T10:00:00.000Z', 7]);
    assert.deepEqual(table.rows[1], [null, null, null, null, null, null, null, null]);
    assert.deepEqual(table.rows[2], ['AMER', '15000000', 9223372036854775807n, 0.001, false, '2024-02-29', '2024-02-29T00:00:00Z', 12]);
  });

  it('keeps very large integers and decimals exact', () => {
    const table = decodeStatement(
      statement(
        [
          ['big', 'LONG'],
          ['dec', 'DECIMAL', 'DECIMAL(38,10)'],
        ],
        [['12345678901234567891', '12345678901234567891.0123456789']],
      ),
    );
    assert.equal(table.rows[0]?.[0], 12345678901234567891n);
    assert.equal(table.rows[0]?.[1], '12345678901234567891.0123456789');
  });

  it('accepts the legacy data_typed_array shape', () => {
    const response: StatementResponse = {
      manifest: {
        schema: {
          columns: [
            { name: 'a', type_name: 'INT', position: 0 },
            { name: 'b', type_name: 'STRING', position: 1 },
          ],
        },
      },
      result: { data_typed_array: [{ values: [{ str: '1' }, {}] }, { values: [{ str: '2' }, { str: 'x' }] }] },
    };
    assert.deepEqual(decodeStatement(response).rows, [
      [1, null],
      [2, 'x'],
    ]);
  });

  it('orders columns by position and reports truncation', () => {
    const response = statement(
      [
        ['b', 'STRING'],
        ['a', 'STRING'],
      ],
      [['x', 'y']],
      { truncated: true, total_row_count: 9000 },
    );
    const reordered: StatementResponse = {
      ...response,
      manifest: {
        ...response.manifest,
        schema: {
          columns: [
            { name: 'second', type_name: 'STRING', position: 1 },
            { name: 'first', type_name: 'STRING', position: 0 },
          ],
        },
      },
    };
    const table = decodeStatement(reordered);
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['first', 'second'],
    );
    assert.equal(table.truncated, true);
    assert.equal(table.totalRowCount, 9000);
  });
});
