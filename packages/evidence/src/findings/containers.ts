import type { ContainerInfo, PodInfo } from '@aiops/contracts';

/**
 * Mesh and platform sidecars. Their logs and restarts say nothing about the release under test, and they may
 * come first in the pod spec, so they are skipped by name wherever they appear.
 */
const SIDECARS = new Set([
  'istio-proxy',
  'istio-init',
  'istio-validation',
  'linkerd-proxy',
  'linkerd-init',
  'envoy',
  'envoy-sidecar',
  'consul-dataplane',
  'kuma-sidecar',
  'vault-agent',
  'vault-agent-init',
  'cloud-sql-proxy',
  'datadog-agent',
  'fluent-bit',
  'otel-collector',
]);

// Mesh proxies whose access log records every request the app serves (Envoy's format, read as request evidence).
const MESH_PROXIES = new Set(['istio-proxy', 'envoy', 'envoy-sidecar', 'consul-dataplane', 'kuma-sidecar']);

/** The pod's mesh proxy containers: skipped for error signatures, read for their access log. */
export function meshProxyContainers(pod: PodInfo): ContainerInfo[] {
  return pod.containers.filter((c) => MESH_PROXIES.has(c.name));
}

export function isSidecar(containerName: string): boolean {
  return SIDECARS.has(containerName);
}

/** The containers that run the application; all of them when every container looks like a sidecar. */
export function appContainers(pod: PodInfo): ContainerInfo[] {
  const apps = pod.containers.filter((c) => !isSidecar(c.name));
  return apps.length > 0 ? apps : pod.containers;
}

/** Whether a previous instance's log is worth reading. */
export function hasPreviousInstance(container: ContainerInfo): boolean {
  return container.restartCount > 0 || container.last?.state === 'terminated';
}
