export { startFakeKubeApi, kubeStatus } from './fake-kube-api.js';
export type { FakeKubeApi, FakeKubeApiOptions, FakeKubeRequest, TokenUser } from './fake-kube-api.js';
export { buildPod, buildEvents, buildRollout, isMeshSidecar } from './objects.js';
export { podStatusReason } from './table.js';
