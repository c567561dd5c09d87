import { Observable, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';
import { createUndiciHttpLibrary } from './http-library.js';

/** One for the process, so every client of every kubeconfig shares its kept-alive connections. */
const httpApi = createUndiciHttpLibrary();

/**
 * Call options that send through the shared undici library (kept-alive connections) and hand it `signal`:
 * client-node 1.x takes an abort signal only through a middleware.
 */
export function withSignal(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append', httpApi };
}
