export { startFakeKubeApi, kubeStatus } from './fake-kube-api.js';
export type { FakeKubeApi, FakeKubeApiOptions, FakeKubeRequest, Fault, FaultMatch, TokenUser } from './fake-kube-api.js';
export { buildPod, buildEvents, buildRollout, isMeshSidecar } from './objects.js';
export { podStatusReason } from './table.js';
