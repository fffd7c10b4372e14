import type { ScriptedAnswer, ScriptedStep, TableColumnSpec } from './types';

/** The demo Genie space: a fixed id so local settings and tests can name it. */
export const DEMO_SPACE_ID = '01f0e1a5c0de4e6a9d5b7e1d2a3c4b5f';

export const DEMO_SPACE = {
  title: 'Sales (Genie emulator demo)',
  description: 'A small sample sales data set served by the local Genie emulator: orders, products, customers and regions.',
  warehouseId: '5e1ec7ab1e0ca1de',
};

const Q = {
  topProducts: 'Top 5 products by revenue',
  regionQuarter: 'Revenue by region last quarter',
  monthlyTrend: 'Monthly revenue trend this year',
  ordersLastMonth: 'How many orders were placed last month?',
  regionCategory: 'Revenue by region and category',
  bestCustomer: 'Who is our best customer?',
  customersByRevenue: 'Top 10 customers by total revenue',
  customersByOrders: 'Top 10 customers by number of orders',
} as const;

/** The top-level demo questions, for the bot's help text (follow-ups reached by suggestions are left out). */
export const DEMO_QUESTIONS: string[] = [
  Q.topProducts,
  Q.regionQuarter,
  Q.monthlyTrend,
  Q.ordersLastMonth,
  Q.regionCategory,
  Q.bestCustomer,
];

const str = (name: string): TableColumnSpec => ({ name, type_name: 'STRING' });
const long = (name: string): TableColumnSpec => ({ name, type_name: 'LONG' });
const money = (name: string): TableColumnSpec => ({ name, type_name: 'DECIMAL', type_precision: 18, type_scale: 2 });
const double = (name: string): TableColumnSpec => ({ name, type_name: 'DOUBLE' });
const date = (name: string): TableColumnSpec => ({ name, type_name: 'DATE' });
const timestamp = (name: string): TableColumnSpec => ({ name, type_name: 'TIMESTAMP' });

/** A status path that looks like Genie at work: metadata, context, the model, the warehouse, the query. */
export function querySteps(totalMs: number): ScriptedStep[] {
  const at = (fraction: number): number => Math.round(totalMs * fraction);
  return [
    { status: 'SUBMITTED', afterMs: 0 },
    { status: 'FETCHING_METADATA', afterMs: at(0.08) },
    { status: 'FILTERING_CONTEXT', afterMs: at(0.2) },
    { status: 'ASKING_AI', afterMs: at(0.32) },
    { status: 'PENDING_WAREHOUSE', afterMs: at(0.58) },
    { status: 'EXECUTING_QUERY', afterMs: at(0.7) },
    { status: 'COMPLETED', afterMs: totalMs },
  ];
}

const TEXT_STEPS: ScriptedStep[] = [
  { status: 'SUBMITTED', afterMs: 0 },
  { status: 'FETCHING_METADATA', afterMs: 200 },
  { status: 'ASKING_AI', afterMs: 600 },
  { status: 'COMPLETED', afterMs: 1_500 },
];

const FALLBACK_STEPS: ScriptedStep[] = [
  { status: 'SUBMITTED', afterMs: 0 },
  { status: 'FETCHING_METADATA', afterMs: 200 },
  { status: 'ASKING_AI', afterMs: 500 },
  { status: 'COMPLETED', afterMs: 1_200 },
];

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function dollarsMillions(value: number): string {
  return `$${(value / 1_000_000).toFixed(2)}M`;
}

/** Revenue by month from January to the clock's current month, deterministic for a given month. */
function monthlyTrend(nowMs: number): { rows: string[][]; text: string } {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const rows: string[][] = [];
  for (let month = 0; month <= now.getUTCMonth(); month++) {
    const revenue = 2_950_000 + month * 61_500 + ((month * 7_919) % 5) * 48_250 + (month % 3 === 2 ? 182_400 : 0);
    const orders = 9_400 + month * 173 + ((month * 131) % 7) * 95;
    rows.push([`${year}-${String(month + 1).padStart(2, '0')}-01`, revenue.toFixed(2), String(orders)]);
  }
  const first = Number(rows[0]?.[1] ?? 0);
  const last = Number(rows[rows.length - 1]?.[1] ?? 0);
  const text =
    rows.length > 1
      ? `Monthly revenue went from ${dollarsMillions(first)} in January to ${dollarsMillions(last)} in ${MONTHS[now.getUTCMonth()] ?? ''} (the current month is still in progress).`
      : `January so far: ${dollarsMillions(first)} in revenue (the month is still in progress).`;
  return { rows, text };
}

function daysAgo(nowMs: number, days: number, hour: number): string {
  const d = new Date(nowMs - days * 86_400_000);
  d.setUTCHours(hour, (days * 17) % 60, 0, 0);
  return d.toISOString();
}

/** The demo answers, keyed by question; built against the emulator clock so "this year" means this year. */
export function demoAnswers(nowMs: number): [string, ScriptedAnswer][] {
  const trend = monthlyTrend(nowMs);
  return [
    [
      Q.topProducts,
      {
        steps: querySteps(2_600),
        queries: [
          {
            title: 'Top 5 products by revenue',
            description: 'Total revenue and units sold per product across all orders, highest revenue first.',
            sql: 'SELECT p.product_name AS product, p.category, SUM(l.revenue) AS revenue, SUM(l.quantity) AS units\nFROM demo.sales.order_lines l\nJOIN demo.sales.products p ON l.product_id = p.product_id\nGROUP BY ALL\nORDER BY revenue DESC\nLIMIT 5',
            thoughts: [
              { type: 'THOUGHT_TYPE_DESCRIPTION', content: 'The user wants the five products that brought in the most revenue.' },
              {
                type: 'THOUGHT_TYPE_DATA_SOURCING',
                content:
                  'Revenue and units per order line are in `demo.sales.order_lines`; product names and categories in `demo.sales.products`.',
              },
              { type: 'THOUGHT_TYPE_INSTRUCTIONS', content: 'Revenue means the sum of `revenue` on order lines, before returns.' },
              {
                type: 'THOUGHT_TYPE_STEPS',
                content: '1. Join order lines to products.\n2. Sum revenue and units per product.\n3. Keep the five highest by revenue.',
              },
            ],
            result: {
              columns: [str('product'), str('category'), money('revenue'), long('units')],
              rows: [
                ['Laptop Pro 15', 'Electronics', '1842310.50', '1204'],
                ['Ergonomic Office Chair', 'Furniture', '968420.00', '3870'],
                ['27" 4K Monitor', 'Electronics', '874905.25', '2315'],
                ['Standing Desk', 'Furniture', '712380.00', '1422'],
                ['Wireless Headset', 'Electronics', '498112.80', '4102'],
              ],
            },
          },
        ],
        text: 'Laptop Pro 15 is the top product with $1.84M in revenue from 1,204 units; Electronics holds three of the top five places.',
        suggestedQuestions: [Q.regionCategory, Q.monthlyTrend],
      },
    ],
    [
      Q.regionQuarter,
      {
        steps: querySteps(2_900),
        queries: [
          {
            title: 'Revenue by region, last quarter',
            description: 'Total revenue and order count per sales region for the previous calendar quarter.',
            sql: "SELECT c.region, SUM(o.revenue) AS revenue, COUNT(DISTINCT o.order_id) AS orders\nFROM demo.sales.orders o\nLEFT JOIN demo.sales.customers c ON o.customer_id = c.customer_id\nWHERE o.order_date >= date_trunc('quarter', add_months(current_date(), -3))\n  AND o.order_date < date_trunc('quarter', current_date())\nGROUP BY c.region\nORDER BY revenue DESC",
            result: {
              columns: [str('region'), money('revenue'), long('orders')],
              rows: [
                ['North America', '4218530.40', '12840'],
                ['EMEA', '3127845.10', '9715'],
                ['APAC', '2206310.75', '7302'],
                ['Latin America', '684220.30', '2411'],
                [null, '12450.00', '38'],
              ],
            },
          },
        ],
        text: 'North America led last quarter with $4.22M, followed by EMEA with $3.13M. 38 orders ($12,450) have no region on the customer record.',
        suggestedQuestions: [Q.regionCategory, Q.topProducts],
      },
    ],
    [
      Q.monthlyTrend,
      {
        steps: querySteps(3_200),
        queries: [
          {
            title: 'Monthly revenue this year',
            description: 'Revenue and order count per calendar month since 1 January.',
            sql: "SELECT date_trunc('month', order_date)::date AS month, SUM(revenue) AS revenue, COUNT(*) AS orders\nFROM demo.sales.orders\nWHERE order_date >= date_trunc('year', current_date())\nGROUP BY 1\nORDER BY 1",
            result: { columns: [date('month'), money('revenue'), long('orders')], rows: trend.rows },
          },
        ],
        text: trend.text,
        suggestedQuestions: [Q.regionQuarter, Q.ordersLastMonth],
      },
    ],
    [
      Q.ordersLastMonth,
      {
        steps: querySteps(1_800),
        queries: [
          {
            title: 'Orders placed last month',
            description: 'Number of distinct orders with an order date in the previous calendar month.',
            sql: "SELECT COUNT(DISTINCT order_id) AS order_count\nFROM demo.sales.orders\nWHERE order_date >= date_trunc('month', add_months(current_date(), -1))\n  AND order_date < date_trunc('month', current_date())",
            result: { columns: [long('order_count')], rows: [['10912']] },
          },
        ],
        text: '10,912 orders were placed last month.',
        suggestedQuestions: [Q.monthlyTrend, Q.topProducts],
      },
    ],
    [
      Q.regionCategory,
      {
        steps: querySteps(3_400),
        queries: [
          {
            title: 'Revenue by region and category, last quarter',
            description: 'Last quarter revenue per region, one column per product category.',
            sql: "SELECT c.region,\n  SUM(CASE WHEN p.category = 'Electronics' THEN l.revenue END) AS electronics,\n  SUM(CASE WHEN p.category = 'Furniture' THEN l.revenue END) AS furniture,\n  SUM(CASE WHEN p.category = 'Office Supplies' THEN l.revenue END) AS office_supplies\nFROM demo.sales.order_lines l\nJOIN demo.sales.products p ON l.product_id = p.product_id\nJOIN demo.sales.customers c ON l.customer_id = c.customer_id\nWHERE l.order_date >= date_trunc('quarter', add_months(current_date(), -3))\n  AND l.order_date < date_trunc('quarter', current_date())\nGROUP BY c.region\nORDER BY electronics DESC",
            result: {
              columns: [str('region'), money('electronics'), money('furniture'), money('office_supplies')],
              rows: [
                ['North America', '2104220.10', '1288410.00', '825900.30'],
                ['EMEA', '1498300.55', '1020115.20', '609429.35'],
                ['APAC', '1187450.00', '598300.75', '420560.00'],
                ['Latin America', '298110.40', '221905.00', '164204.90'],
              ],
            },
          },
        ],
        text: 'Electronics is the largest category in every region; North America sold $2.10M of electronics last quarter.',
        suggestedQuestions: [Q.regionQuarter, Q.topProducts],
      },
    ],
    [
      Q.bestCustomer,
      {
        steps: TEXT_STEPS,
        clarification: 'Do you mean by total revenue or by number of orders?',
        suggestedQuestions: [Q.customersByRevenue, Q.customersByOrders],
      },
    ],
    [
      Q.customersByRevenue,
      {
        steps: querySteps(2_700),
        queries: [
          {
            title: 'Top 10 customers by total revenue',
            description: 'Customers ranked by the revenue of all their orders, with their segment and order count.',
            sql: 'SELECT c.customer_name AS customer, c.segment, SUM(o.revenue) AS revenue, COUNT(DISTINCT o.order_id) AS orders\nFROM demo.sales.orders o\nJOIN demo.sales.customers c ON o.customer_id = c.customer_id\nGROUP BY ALL\nORDER BY revenue DESC\nLIMIT 10',
            result: {
              columns: [str('customer'), str('segment'), money('revenue'), long('orders')],
              rows: [
                ['Contoso Ltd', 'Enterprise', '612480.90', '412'],
                ['Fabrikam Inc', 'Enterprise', '544210.00', '388'],
                ['Northwind Traders', 'Mid-market', '421975.35', '1024'],
                ['Adventure Works', 'Enterprise', '398400.10', '276'],
                ['Wide World Importers', null, '356112.45', '841'],
                ['Tailspin Toys', 'Mid-market', '287930.00', '563'],
                ['Litware Inc', 'SMB', '245118.75', '199'],
                ['Woodgrove Bank', 'Enterprise', '231004.20', '87'],
                ['Proseware Inc', null, '198760.00', '354'],
                ['Alpine Ski House', 'SMB', '176245.60', '702'],
              ],
            },
          },
        ],
        text: 'By total revenue, Contoso Ltd is the best customer with $612,481 across 412 orders. Two customers have no segment assigned.',
        suggestedQuestions: [Q.customersByOrders, Q.regionQuarter],
      },
    ],
    [
      Q.customersByOrders,
      {
        // Genie corrects itself: the first query counts order lines, the second distinct orders.
        steps: [
          { status: 'SUBMITTED', afterMs: 0 },
          { status: 'FETCHING_METADATA', afterMs: 250 },
          { status: 'FILTERING_CONTEXT', afterMs: 700 },
          { status: 'ASKING_AI', afterMs: 1_100 },
          { status: 'EXECUTING_QUERY', afterMs: 1_800 },
          { status: 'ASKING_AI', afterMs: 2_400 },
          { status: 'EXECUTING_QUERY', afterMs: 3_000 },
          { status: 'COMPLETED', afterMs: 3_900 },
        ],
        queries: [
          {
            title: 'Order lines per customer',
            description: 'Number of order lines per customer.',
            sql: 'SELECT customer_id, COUNT(*) AS order_lines\nFROM demo.sales.order_lines\nGROUP BY customer_id\nORDER BY order_lines DESC\nLIMIT 10',
            result: {
              columns: [str('customer_id'), long('order_lines')],
              rows: [
                ['C-1007', '3310'],
                ['C-1001', '1487'],
                ['C-1042', '1302'],
              ],
              totalRowCount: 3,
            },
          },
          {
            title: 'Top 10 customers by number of orders',
            description: 'Customers ranked by distinct orders, with their latest order and average order value.',
            sql: 'SELECT c.customer_name AS customer, COUNT(DISTINCT o.order_id) AS orders, MAX(o.order_ts) AS last_order_at, AVG(o.revenue) AS avg_order_value\nFROM demo.sales.orders o\nJOIN demo.sales.customers c ON o.customer_id = c.customer_id\nGROUP BY ALL\nORDER BY orders DESC\nLIMIT 10',
            result: {
              columns: [str('customer'), long('orders'), timestamp('last_order_at'), double('avg_order_value')],
              rows: [
                ['Northwind Traders', '1024', daysAgo(nowMs, 1, 9), '412.0853515625'],
                ['Wide World Importers', '841', daysAgo(nowMs, 2, 14), '423.4393'],
                ['Alpine Ski House', '702', daysAgo(nowMs, 1, 16), '251.06211'],
                ['Tailspin Toys', '563', daysAgo(nowMs, 4, 11), '511.4209'],
                ['Contoso Ltd', '412', daysAgo(nowMs, 3, 10), '1486.6041'],
                ['Fabrikam Inc', '388', daysAgo(nowMs, 6, 15), '1402.6031'],
                ['Proseware Inc', '354', null, '561.4689'],
                ['Adventure Works', '276', daysAgo(nowMs, 9, 8), '1443.4786'],
                ['Litware Inc', '199', daysAgo(nowMs, 12, 13), '1231.7525'],
                ['Woodgrove Bank', '87', daysAgo(nowMs, 20, 17), '2655.2207'],
              ],
            },
          },
        ],
        text: 'By number of orders, Northwind Traders is the best customer with 1,024 orders; Contoso Ltd has fewer (412) but larger orders.',
        suggestedQuestions: [Q.customersByRevenue, Q.ordersLastMonth],
      },
    ],
  ];
}

/**
 * Demo questions match leniently (case, extra spaces, a missing or extra question mark), because
 * people type them; a suggestion posted back verbatim always matches.
 */
export function normalizeDemoQuestion(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[?.!\s]+$/, '');
}

/** The honest answer to anything nothing is scripted for. */
export function fallbackAnswer(known: readonly string[], demo: boolean, dataSet = 'sales'): ScriptedAnswer {
  const list = known.map((q) => `- ${q}`).join('\n');
  const text = demo
    ? `This is the local Genie emulator, not a real Genie space: it only knows a small demo ${dataSet} data set, so it cannot answer that. Questions it can answer:\n${list}`
    : `This is the local Genie emulator, not a real Genie space, and nothing is scripted for this question.${known.length ? ` Scripted questions:\n${list}` : ''}`;
  return demo ? { steps: FALLBACK_STEPS, text } : { text };
}
