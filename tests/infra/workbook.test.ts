import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const FILE = join(ROOT, 'infra', 'workbook', 'genie-bot.workbook.json');
const TEXT = readFileSync(FILE, 'utf8');

/** The custom metrics the app emits (names final; attributes become customDimensions). */
const METRICS = [
  'genie.questions',
  'genie.answer.duration',
  'genie.wait.duration',
  'genie.api.calls',
  'genie.api.duration',
  'genie.api.retries',
  'genie.api.throttled',
  'bot.webhook.duration',
  'sessions.active',
  'http.sockets.created',
  'http.sockets.reused',
];
const DIMENSIONS = ['outcome', 'reason', 'endpoint', 'status_class', 'activity_type'];

interface Item {
  type: number;
  name: string;
  content: {
    version?: string;
    query?: string;
    title?: string;
    json?: string;
    visualization?: string;
    queryType?: number;
    resourceType?: string;
    timeContextFromParameter?: string;
    parameters?: { name: string; type: number }[];
  };
}
interface Workbook {
  version: string;
  items: Item[];
  fallbackResourceIds: string[];
}

const WORKBOOK = JSON.parse(TEXT) as Workbook;
const QUERIES = WORKBOOK.items.filter((i) => i.type === 3);
const ALL_KQL = QUERIES.map((q) => q.content.query ?? '').join('\n');

function queryTitled(pattern: RegExp): Item {
  const item = QUERIES.find((q) => pattern.test(q.content.title ?? ''));
  assert.ok(item, `a query titled ${String(pattern)}`);
  return item;
}

describe('infra: portal workbook', () => {
  it('is a workbook the Bicep deploys against the Application Insights resource', () => {
    assert.equal(WORKBOOK.version, 'Notebook/1.0');
    assert.deepEqual(WORKBOOK.fallbackResourceIds, ['__APPLICATION_INSIGHTS_ID__']);
    const bicep = readFileSync(join(ROOT, 'infra', 'app', 'workbook.bicep'), 'utf8');
    assert.ok(bicep.includes("loadTextContent('../workbook/genie-bot.workbook.json')"));
    assert.ok(bicep.includes("'__APPLICATION_INSIGHTS_ID__', applicationInsightsId"));
    assert.ok(TEXT.length < 131_072, 'within the size loadTextContent accepts');
    assert.equal(new Set(WORKBOOK.items.map((i) => i.name)).size, WORKBOOK.items.length, 'item names are unique');
  });

  it('runs every query on Application Insights logs over the TimeRange parameter', () => {
    const params = WORKBOOK.items.filter((i) => i.type === 9).flatMap((i) => i.content.parameters ?? []);
    assert.ok(
      params.some((p) => p.name === 'TimeRange' && p.type === 4),
      'a TimeRange time parameter',
    );
    assert.ok(QUERIES.length >= 10);
    for (const q of QUERIES) {
      assert.equal(q.content.version, 'KqlItem/1.0', q.name);
      assert.equal(q.content.queryType, 0, `${q.name}: a logs query`);
      assert.equal(q.content.resourceType, 'microsoft.insights/components', q.name);
      assert.equal(q.content.timeContextFromParameter, 'TimeRange', q.name);
      assert.ok(q.content.title && q.content.visualization, q.name);
      for (const param of (q.content.query ?? '').matchAll(/\{(\w+)(?::\w+)?\}/g)) {
        assert.ok(
          params.some((p) => p.name === param[1]),
          `${q.name}: parameter {${param[1]}} exists`,
        );
      }
    }
  });

  it('charts every custom metric the app emits, and no other', () => {
    for (const metric of METRICS) assert.ok(ALL_KQL.includes(`'${metric}'`), `${metric} is charted`);
    const used = [...ALL_KQL.matchAll(/'((?:genie|bot|sessions|http)\.[a-z_.]+)'/g)].map((m) => m[1] ?? '');
    for (const name of used) assert.ok(METRICS.includes(name) || name === 'genie.answer', `${name} is a known metric or span`);
    for (const m of ALL_KQL.matchAll(/customDimensions\.(\w+)/g)) assert.ok(DIMENSIONS.includes(m[1] ?? ''), `dimension ${m[1]}`);
  });

  it('reads counts from pre-aggregated metrics and percentiles from spans', () => {
    for (const q of QUERIES) {
      // one KQL statement at a time: a query may join metrics with span percentiles
      for (const statement of (q.content.query ?? '').split(';').filter((s) => s.includes('customMetrics'))) {
        assert.doesNotMatch(statement, /percentile/, `${q.name}: customMetrics holds per-interval aggregates, not samples`);
        assert.doesNotMatch(statement, /count\(\)/, `${q.name}: a customMetrics row is an aggregate; sum valueSum/valueCount`);
      }
    }
    const answer = queryTitled(/Answer latency p50 \/ p95/).content.query ?? '';
    assert.match(answer, /union requests, dependencies/);
    assert.match(answer, /name == 'genie\.answer'/);
    assert.match(answer, /percentile\(duration, 50\)[\s\S]*percentile\(duration, 95\)/);
    assert.match(queryTitled(/Genie API by endpoint/).content.query ?? '', /name startswith prefix[\s\S]*percentile\(duration, 95\)/);
    assert.match(queryTitled(/Webhook latency p50 \/ p95/).content.query ?? '', /requests[\s\S]*name =~ 'messages'/);
  });

  it("answers the operator's questions: rate by outcome, latency, Genie calls and 429s, webhook, sessions, failures", () => {
    assert.match(queryTitled(/per minute by outcome/).content.query ?? '', /per_minute = questions \/ \(grain \/ 1m\)/);
    assert.match(queryTitled(/Genie API calls by status class, and 429s/).content.query ?? '', /'genie\.api\.throttled'/);
    assert.match(queryTitled(/Failed questions by reason/).content.query ?? '', /outcome\) == 'failed'[\s\S]*by reason/);
    assert.match(queryTitled(/Active sessions/).content.query ?? '', /'sessions\.active'/);
    assert.match(queryTitled(/Webhook time by activity type/).content.query ?? '', /'bot\.webhook\.duration'/);
    const intro = WORKBOOK.items.find((i) => i.type === 1)?.content.json ?? '';
    assert.match(intro, /percentiles cannot be computed from them/, 'the workbook says why percentiles come from spans');
  });
});
