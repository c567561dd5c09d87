/**
 * WorkloadReader over @kubernetes/client-node 1.4: a Flagger Canary's targetRef (flagger.app/v1beta1) and the pod
 * selector of a Deployment (or DaemonSet), from which the canary's and the primary's pods are listed.
 */
import { AppsV1Api, CustomObjectsApi, type KubeConfig, type V1LabelSelector } from '@kubernetes/client-node';
import { type CallOptions, type WorkloadReader, type WorkloadRef } from '@aiops/contracts';
import { kubeCall, upstreamStatusOf } from './cluster-reader.js';
import { withSignal } from './with-signal.js';

type Json = Record<string, unknown>;
const rec = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});

/** A LabelSelector object as selector text: `app=podinfo,tier in (web,api)`. */
export function labelSelectorText(selector: V1LabelSelector | undefined): string | undefined {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of selector?.matchExpressions ?? []) {
    const values = (expression.values ?? []).join(',');
    switch (expression.operator) {
      case 'In':
        terms.push(`${expression.key} in (${values})`);
        break;
      case 'NotIn':
        terms.push(`${expression.key} notin (${values})`);
        break;
      case 'Exists':
        terms.push(expression.key);
        break;
      case 'DoesNotExist':
        terms.push(`!${expression.key}`);
        break;
      default:
        break;
    }
  }
  return terms.length > 0 ? terms.join(',') : undefined;
}

export function createWorkloadReader(kubeConfig: KubeConfig, options: { timeoutMs: number }): WorkloadReader {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);

  const call = <T>(what: string, callOptions: CallOptions, run: (signal: AbortSignal) => Promise<T>) =>
    kubeCall(what, options.timeoutMs, callOptions, run);
  const status = upstreamStatusOf;

  return {
    async getCanaryTarget(namespace, name, callOptions) {
      try {
        const object: unknown = await call(`get canary ${namespace}/${name}`, callOptions, (signal) =>
          custom.getNamespacedCustomObject(
            { group: 'flagger.app', version: 'v1beta1', namespace, plural: 'canaries', name },
            withSignal(signal),
          ),
        );
        const target = rec(rec(rec(object).spec).targetRef);
        const kind = typeof target.kind === 'string' ? target.kind : 'Deployment';
        return typeof target.name === 'string' && target.name !== '' ? { kind, name: target.name } : undefined;
      } catch (err) {
        // Not there, no CRD, or not readable: the caller falls back to Flagger's naming of the Deployments.
        const code = status(err);
        if (code === 404 || code === 403 || code === 401) return undefined;
        throw err;
      }
    },

    async getPodSelector(namespace, workload: WorkloadRef, callOptions) {
      try {
        const what = `get ${workload.kind.toLowerCase()} ${namespace}/${workload.name}`;
        const object =
          workload.kind === 'DaemonSet'
            ? await call(what, callOptions, (signal) =>
                apps.readNamespacedDaemonSet({ namespace, name: workload.name }, withSignal(signal)),
              )
            : await call(what, callOptions, (signal) =>
                apps.readNamespacedDeployment({ namespace, name: workload.name }, withSignal(signal)),
              );
        return labelSelectorText(object.spec?.selector);
      } catch (err) {
        if (status(err) === 404) return undefined;
        throw err;
      }
    },
  };
}
