export {
  FAULT_KINDS,
  startFakeHttpServer,
  type FakeHttpOptions,
  type FakeHttpServer,
  type FaultInjector,
  type FaultKind,
  type FaultMatch,
  type FaultSpec,
  type InjectedFault,
  type RecordedRequest,
} from './fake-http.js';
