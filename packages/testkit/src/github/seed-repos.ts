/**
 * Seeded repositories for the fake GitHub API: four small services with one planted bug each, at the stack frames
 * the scenario corpus prints, plus unrelated files, a CI workflow and a README.
 */
import {
  CART_HANDLER_GO,
  CHECKOUT_PRICE_SERVICE_JAVA,
  RECOMMENDER_HANDLERS_PY,
  WEB_SERVER_JS,
} from './seed-sources.js';

export interface SeedRepo {
  owner: string;
  repo: string;
  /** Defaults to main. */
  defaultBranch?: string;
  /** path -> UTF-8 content */
  files: Record<string, string>;
}

/** Where a planted bug lives, and the minimal edit that fixes it. */
export interface PlantedBug {
  owner: string;
  repo: string;
  path: string;
  line: number;
  /** The faulty line, verbatim (without indentation). */
  buggyLine: string;
  /** A stack frame as the canary's logs print it. */
  frame: string;
  fix: { search: string; replace: string; rationale: string };
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

const ciWorkflow = (run: string): string =>
  lines(
    'name: ci',
    'on: [push, pull_request]',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    `      - run: ${run}`,
  );

export const PLANTED_BUGS: readonly PlantedBug[] = [
  {
    owner: 'acme',
    repo: 'cart',
    path: 'internal/cart/handler.go',
    line: 42,
    buggyLine: 'total = total * (1 - d.Percent/100)',
    frame: '/app/internal/cart/handler.go:42 +0x1d',
    fix: {
      search: '\td := c.Discount\n\ttotal = total * (1 - d.Percent/100)\n',
      replace: '\td := c.Discount\n\tif d == nil {\n\t\treturn total\n\t}\n\ttotal = total * (1 - d.Percent/100)\n',
      rationale: 'Carts without a promotion have a nil *Discount; return the subtotal instead of dereferencing it.',
    },
  },
  {
    owner: 'acme',
    repo: 'checkout',
    path: 'src/main/java/com/acme/checkout/PriceService.java',
    line: 57,
    buggyLine: 'BigDecimal discounted = price.multiply(discount);',
    frame: 'at com.acme.checkout.PriceService.total(PriceService.java:57)',
    fix: {
      search: '        BigDecimal discounted = price.multiply(discount);\n',
      replace: '        BigDecimal discounted = price.multiply(discount == null ? BigDecimal.ONE : discount);\n',
      rationale: 'discountFor returns null for customers without a promotion; multiply by ONE instead.',
    },
  },
  {
    owner: 'acme',
    repo: 'recommender',
    path: 'app/handlers.py',
    line: 31,
    buggyLine: 'user_id = payload["user_id"]',
    frame: 'File "/app/app/handlers.py", line 31, in recommend',
    fix: {
      search: '    user_id = payload["user_id"]\n',
      replace:
        '    user_id = payload.get("user_id")\n    if not user_id:\n        return _json(400, {"error": "user_id is required"})\n',
      rationale: 'Anonymous v2 clients omit user_id; answer 400 instead of raising KeyError.',
    },
  },
  {
    owner: 'acme',
    repo: 'web',
    path: 'src/server.js',
    line: 18,
    buggyLine: 'total += item.product.price * quantity;',
    frame: 'at computeTotal (/app/src/server.js:18:25)',
    fix: {
      search: '    total += item.product.price * quantity;\n',
      replace:
        '    if (!item.product) continue; // removed from the catalogue\n    total += item.product.price * quantity;\n',
      rationale: 'Items removed from the catalogue have no product; skip them instead of reading price of undefined.',
    },
  },
];

export const SEED_REPOS: readonly SeedRepo[] = [
  {
    owner: 'acme',
    repo: 'cart',
    files: {
      'README.md': lines('# cart', '', 'The shopping cart service.'),
      'go.mod': lines('module github.com/acme/cart', '', 'go 1.22'),
      'cmd/cart/main.go': lines(
        'package main',
        '',
        'import "github.com/acme/cart/internal/cart"',
        '',
        'func main() {',
        '\t_ = cart.NewHandler(nil)',
        '}',
      ),
      'internal/cart/handler.go': CART_HANDLER_GO,
      'internal/cart/store.go': lines(
        'package cart',
        '',
        '// memoryStore keeps carts in memory (tests, demo).',
        'type memoryStore map[string]*Cart',
        '',
        'func (m memoryStore) Load(id string) (*Cart, error) {',
        '\treturn m[id], nil',
        '}',
      ),
      '.github/workflows/ci.yml': ciWorkflow('go test ./...'),
    },
  },
  {
    owner: 'acme',
    repo: 'checkout',
    files: {
      'README.md': lines('# checkout', '', 'Order totals and payment.'),
      'pom.xml': lines(
        '<project>',
        '  <groupId>com.acme</groupId>',
        '  <artifactId>checkout</artifactId>',
        '  <version>2.0.0</version>',
        '</project>',
      ),
      'src/main/java/com/acme/checkout/PriceService.java': CHECKOUT_PRICE_SERVICE_JAVA,
      'src/main/java/com/acme/checkout/Application.java': lines(
        'package com.acme.checkout;',
        '',
        'public class Application {',
        '    public static void main(String[] args) {',
        '        System.out.println("checkout");',
        '    }',
        '}',
      ),
      '.github/workflows/ci.yml': ciWorkflow('mvn -B verify'),
    },
  },
  {
    owner: 'acme',
    repo: 'recommender',
    files: {
      'README.md': lines('# recommender', '', 'Product recommendations.'),
      'requirements.txt': lines('numpy==2.1.0'),
      'app/__init__.py': '',
      'app/handlers.py': RECOMMENDER_HANDLERS_PY,
      'app/model.py': lines(
        'class Recommender:',
        '    @classmethod',
        '    def default(cls) -> "Recommender":',
        '        return cls()',
        '',
        '    def top_items(self, user_id, limit):',
        '        return []',
      ),
      '.github/workflows/ci.yml': ciWorkflow('pytest'),
    },
  },
  {
    owner: 'acme',
    repo: 'web',
    files: {
      'README.md': lines('# web', '', 'Storefront API.'),
      'package.json': lines('{', '  "name": "web",', '  "version": "3.1.0",', '  "main": "src/server.js"', '}'),
      'src/server.js': WEB_SERVER_JS,
      'src/cart.js': lines(
        "'use strict';",
        'async function loadCart(id) {',
        '  return { id, items: [] };',
        '}',
        'module.exports = { loadCart };',
      ),
      'src/money.js': lines(
        "'use strict';",
        'function formatMoney(cents) {',
        '  return `$${(cents / 100).toFixed(2)}`;',
        '}',
        'module.exports = { formatMoney };',
      ),
      '.github/workflows/ci.yml': ciWorkflow('npm test'),
    },
  },
];
