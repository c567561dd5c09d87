/**
 * The query catalog: PromQL templates per preset, and their rendering for one side of a rollout.
 * Placeholders: {{namespace}}, {{selector}}, {{podRegex}}, {{podTemplateHash}}, {{service}}, {{window}},
 * {{analysisWindow}}
 * (see README.md). The fake Prometheus in the testkit recognises these templates by their metric names.
 */
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { z } from 'zod';
import type { EffectSizeFloor, MetricDirection } from '@aiops/evidence';

export type MetricsPreset = 'istio' | 'nginx' | 'pod' | 'none';

export interface MetricQuery {
  /** Stable name; the comparison and finding ids are `metric:<name>`. */
  name: string;
  /** PromQL template evaluated once per side. */
  query: string;
  /** Which change is bad. */
  direction: MetricDirection;
  /** A critical metric that is High/Low in its bad direction fails the canary outright. */
  critical: boolean;
  unit: string;
  /** Queried and reported but never judged: request rates follow the canary weight, not its health. */
  informational?: boolean;
  effectSizeFloor?: EffectSizeFloor;
  weight?: number;
}

/** An operator's own query (PROMETHEUS_QUERIES_FILE); same fields, with defaults for the optional ones. */
export const UserQuerySchema = z.strictObject({
  name: z.string().min(1),
  // Checked when the file is read: a typo would otherwise fail every measurement (and so block every promotion).
  query: z
    .string()
    .min(1)
    .superRefine((query, ctx) => {
      const problem = promqlProblem(query);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
  direction: z.enum(['increase', 'decrease', 'either']),
  critical: z.boolean().optional(),
  unit: z.string().optional(),
  informational: z.boolean().optional(),
  effectSizeFloor: z
    .strictObject({
      increaseRatio: z.number().positive().optional(),
      decreaseRatio: z.number().positive().optional(),
      absolute: z.number().nonnegative().optional(),
    })
    .optional(),
  weight: z.number().positive().optional(),
}) satisfies z.ZodType<{ direction: MetricDirection; effectSizeFloor?: EffectSizeFloor }>;
export type UserQuery = z.output<typeof UserQuerySchema>;
export const UserQueriesSchema = z.array(UserQuerySchema);

const APP_CONTAINERS = 'container!="",container!="POD",container!="istio-proxy"';

const POD_METRICS: MetricQuery[] = [
  {
    name: 'cpu_cores',
    query: `avg(sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="{{namespace}}",{{selector}},${APP_CONTAINERS}}[{{window}}])))`,
    direction: 'increase',
    critical: false,
    unit: 'cores',
    effectSizeFloor: { increaseRatio: 1.2 },
  },
  {
    name: 'memory_bytes',
    query: `avg(sum by (pod) (container_memory_working_set_bytes{namespace="{{namespace}}",{{selector}},${APP_CONTAINERS}}))`,
    direction: 'increase',
    critical: false,
    unit: 'bytes',
    effectSizeFloor: { increaseRatio: 1.2 },
  },
  {
    name: 'restarts',
    // Over the whole analysis window at every step: a crash loop in back-off restarts every few minutes, so most
    // rate windows hold no restart and a per-window count judged a slow crash loop a pass.
    query: `max(increase(kube_pod_container_status_restarts_total{namespace="{{namespace}}",{{selector}}}[{{analysisWindow}}]))`,
    direction: 'increase',
    critical: true,
    unit: 'restarts',
    effectSizeFloor: { absolute: 1 },
  },
];

const ISTIO_REQUESTS = 'istio_requests_total{reporter="destination",namespace="{{namespace}}",{{selector}}';

const ISTIO_METRICS: MetricQuery[] = [
  {
    name: 'request_success_rate',
    // A side that answered nothing but 5xx has no non-5xx series: the numerator would be an empty vector, and so
    // the ratio, making the worst canary NoData. `or vector(0)` fills it in; with no requests at all the denominator
    // stays empty (or 0/0 = NaN), which is NoData as it should be. The nginx query does the same.
    query: `(sum(rate(${ISTIO_REQUESTS},response_code!~"5.."}[{{window}}])) or vector(0)) / sum(rate(${ISTIO_REQUESTS}}[{{window}}]))`,
    direction: 'decrease',
    critical: true,
    unit: 'ratio',
    effectSizeFloor: { absolute: 0.001 },
  },
  {
    name: 'latency_p99_ms',
    query: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",namespace="{{namespace}}",{{selector}}}[{{window}}])))`,
    direction: 'increase',
    critical: false,
    unit: 'ms',
    effectSizeFloor: { increaseRatio: 1.1 },
  },
  {
    name: 'request_rate',
    query: `sum(rate(${ISTIO_REQUESTS}}[{{window}}]))`,
    direction: 'either',
    critical: false,
    unit: 'req/s',
    informational: true,
  },
];

// ingress-nginx labels its series with the backend Service, not the pod: canary and stable are told apart by the
// Rollout's canaryService / stableService.
const NGINX_REQUESTS = 'nginx_ingress_controller_requests{namespace="{{namespace}}",service="{{service}}"';

const NGINX_METRICS: MetricQuery[] = [
  {
    name: 'request_success_rate',
    query: `(sum(rate(${NGINX_REQUESTS},status!~"5.."}[{{window}}])) or vector(0)) / sum(rate(${NGINX_REQUESTS}}[{{window}}]))`,
    direction: 'decrease',
    critical: true,
    unit: 'ratio',
    effectSizeFloor: { absolute: 0.001 },
  },
  {
    name: 'latency_p99_ms',
    query: `histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{namespace="{{namespace}}",service="{{service}}"}[{{window}}]))) * 1000`,
    direction: 'increase',
    critical: false,
    unit: 'ms',
    effectSizeFloor: { increaseRatio: 1.1 },
  },
  {
    name: 'request_rate',
    query: `sum(rate(${NGINX_REQUESTS}}[{{window}}]))`,
    direction: 'either',
    critical: false,
    unit: 'req/s',
    informational: true,
  },
];

/** Presets are cumulative: the mesh and ingress presets include the pod resource metrics. */
export function presetQueries(preset: MetricsPreset): MetricQuery[] {
  switch (preset) {
    case 'istio':
      return [...ISTIO_METRICS, ...POD_METRICS];
    case 'nginx':
      return [...NGINX_METRICS, ...POD_METRICS];
    case 'pod':
      return [...POD_METRICS];
    case 'none':
      return [];
  }
}

/** The preset's queries with the operator's queries added; a user query replaces a preset one of the same name. */
export function resolveQueries(preset: MetricsPreset, userQueries: readonly UserQuery[] = []): MetricQuery[] {
  const byName = new Map<string, MetricQuery>(presetQueries(preset).map((q) => [q.name, q]));
  for (const q of userQueries) {
    byName.set(q.name, { ...q, critical: q.critical ?? false, unit: q.unit ?? '' });
  }
  return [...byName.values()];
}

export interface SideTarget {
  podNames: readonly string[];
  podTemplateHash?: string;
  /** Kubernetes Service that routes to this side (needed by the nginx preset). */
  service?: string;
}

export interface RenderContext {
  namespace: string;
  side: SideTarget;
  /** PromQL range for rate()/increase(), e.g. "60s". */
  window: string;
  /** The whole analysis window as a PromQL range, e.g. "600s": for counts of rare events such as restarts. */
  analysisWindow: string;
  /** When set (e.g. 'rollouts_pod_template_hash'), {{selector}} matches this label on the pod-template hash. */
  sideLabel?: string;
}

/** A PromQL regex matching exactly these pod names (Prometheus anchors regexes; backslashes doubled for the string). */
export function podNameRegex(podNames: readonly string[]): string {
  return podNames.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, (ch) => `\\\\${ch}`)).join('|');
}

function quoteValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Renders a template for one side, or says why it cannot be (no pods, no service, unknown placeholder). */
export function renderQuery(
  template: string,
  context: RenderContext,
): { ok: true; query: string } | { ok: false; reason: string } {
  const { side } = context;
  const values: Record<string, () => string | undefined> = {
    namespace: () => quoteValue(context.namespace),
    window: () => context.window,
    analysisWindow: () => context.analysisWindow,
    podRegex: () => (side.podNames.length > 0 ? podNameRegex(side.podNames) : undefined),
    podTemplateHash: () => (side.podTemplateHash ? quoteValue(side.podTemplateHash) : undefined),
    service: () => (side.service ? quoteValue(side.service) : undefined),
    selector: () => {
      if (context.sideLabel && side.podTemplateHash)
        return `${context.sideLabel}="${quoteValue(side.podTemplateHash)}"`;
      return side.podNames.length > 0 ? `pod=~"${podNameRegex(side.podNames)}"` : undefined;
    },
  };
  let missing: string | undefined;
  const query = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    const make = values[key];
    if (make === undefined) {
      missing ??= `unknown placeholder ${whole}`;
      return whole;
    }
    const value = make();
    if (value === undefined)
      missing ??= `no value for {{${key}}} (${key === 'service' ? 'the Service name is not known' : 'no pods listed and no pod-template hash'})`;
    return value ?? '';
  });
  return missing === undefined ? { ok: true, query } : { ok: false, reason: missing };
}

/** Values for every placeholder, so that a template can be checked as the PromQL it becomes. */
const SAMPLE_CONTEXT: RenderContext = {
  namespace: 'shop',
  window: '60s',
  analysisWindow: '600s',
  side: { podNames: ['shop-7d9c-abcde'], podTemplateHash: '7d9c', service: 'shop-canary' },
};

/**
 * Why a query template is not valid PromQL once its placeholders are filled in (an unknown placeholder, a syntax
 * error), else undefined. The grammar is Prometheus' own (lezer-promql, the parser of its web UI); it checks syntax,
 * not types, so `rate()` of an instant vector still fails only when Prometheus evaluates it.
 */
export function promqlProblem(template: string): string | undefined {
  const rendered = renderQuery(template, SAMPLE_CONTEXT);
  if (!rendered.ok) return rendered.reason;
  const { query } = rendered;
  let errorAt: number | undefined;
  promqlParser.parse(query).iterate({
    enter: (node) => {
      if (errorAt === undefined && node.type.isError) errorAt = node.from;
      return errorAt === undefined;
    },
  });
  if (errorAt === undefined) return undefined;
  const before = query.slice(Math.max(0, errorAt - 30), errorAt);
  const after = query.slice(errorAt, errorAt + 30);
  return `not valid PromQL: ${after === '' ? 'it ends too early' : 'unexpected text'} after "${before}"${after === '' ? '' : ` (at "${after}")`}`;
}
