/** The simulated services of the corpus: their routes, and the definition helper every scenario starts from. */
import type { AppDefinition } from './build.js';
import type { Route } from './logs.js';
import type { Rng } from './random.js';

const id = (rng: Rng): string => String(rng.int(1000, 99999));
export const routes = {
  catalog: [
    { method: 'GET', path: (r: Rng) => `/api/v1/products/${id(r)}` },
    {
      method: 'GET',
      path: (r: Rng) => `/api/v1/products?category=${r.pick(['shoes', 'bags', 'hats'])}&page=${r.int(1, 9)}`,
    },
    { method: 'GET', path: () => '/healthz' },
  ],
  cart: [
    { method: 'GET', path: (r: Rng) => `/api/cart/${id(r)}` },
    { method: 'POST', path: (r: Rng) => `/api/cart/${id(r)}/items` },
    { method: 'POST', path: (r: Rng) => `/api/cart/${id(r)}/apply-discount` },
  ],
  checkout: [
    { method: 'POST', path: () => '/api/checkout' },
    { method: 'GET', path: (r: Rng) => `/api/orders/${id(r)}` },
    { method: 'GET', path: () => '/actuator/health' },
  ],
  web: [
    { method: 'GET', path: () => '/' },
    { method: 'GET', path: (r: Rng) => `/static/js/main.${r.hex(8)}.js` },
    { method: 'POST', path: () => '/api/checkout' },
    { method: 'GET', path: (r: Rng) => `/api/products/${id(r)}` },
  ],
  recommender: [
    { method: 'GET', path: (r: Rng) => `/recommend?user=${id(r)}&limit=20` },
    { method: 'GET', path: () => '/healthz' },
  ],
  billing: [
    { method: 'POST', path: () => '/v1/invoices' },
    { method: 'GET', path: (r: Rng) => `/v1/invoices/inv_${r.hex(12)}` },
  ],
  images: [
    { method: 'GET', path: (r: Rng) => `/v1/thumbnails/${r.hex(16)}?w=${r.pick(['160', '320', '640'])}` },
    { method: 'POST', path: () => '/v1/resize' },
    { method: 'GET', path: () => '/healthz' },
  ],
  sessions: [
    { method: 'GET', path: (r: Rng) => `/v1/sessions/${r.hex(24)}` },
    { method: 'PUT', path: (r: Rng) => `/v1/sessions/${r.hex(24)}/touch` },
    { method: 'POST', path: () => '/v1/sessions' },
  ],
  webhooks: [
    { method: 'POST', path: () => '/v1/webhooks/deliveries' },
    { method: 'GET', path: (r: Rng) => `/v1/webhooks/deliveries/dlv_${r.hex(10)}` },
    { method: 'GET', path: () => '/readyz' },
  ],
  tickets: [
    { method: 'POST', path: () => '/api/v1/tickets' },
    { method: 'GET', path: (r: Rng) => `/api/v1/tickets/${id(r)}` },
    {
      method: 'GET',
      path: (r: Rng) => `/api/v1/tickets?status=${r.pick(['open', 'pending', 'solved'])}&page=${r.int(1, 5)}`,
    },
  ],
} satisfies Record<string, Route[]>;

export function app(
  name: string,
  style: AppDefinition['style'],
  stableVersion: string,
  canaryVersion: string,
  appRoutes: Route[],
): AppDefinition {
  return { name, style, imageRepository: `ghcr.io/acme/${name}`, stableVersion, canaryVersion, routes: appRoutes };
}
