import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { balanceBrackets, parseLogEvents } from '@aiops/evidence';

const fixture = (path: string): string =>
  readFileSync(new URL(`./fixtures/multiline/${path}`, import.meta.url), 'utf8');
const errors = (text: string) => parseLogEvents(text).filter((e) => e.kind !== 'info');

function expectOneLine(cause: string | undefined): void {
  expect(cause).toBeDefined();
  expect(cause).not.toMatch(/\n/);
  expect(balanceBrackets(cause ?? '')).toBe(cause);
}

// Printed by the real runtimes here (capture.sh beside each fixture).
describe('multi-line events captured from real runtimes', () => {
  it('keeps a Go net/http panic and its goroutine dump as one event, innermost cause and app frame', () => {
    const events = parseLogEvents(fixture('go/http-panic.log'));
    expect(events.map((e) => e.kind)).toEqual(['info', 'panic']);
    const panic = events[1];
    expect(panic?.raw).toMatch(/created by net\/http\.\(\*Server\)\.Serve/);
    expect(panic?.cause).toBe('runtime error: invalid memory address or nil pointer dereference at main.go:15');
    expect(panic?.frames[0]).toBe('main.go:15');
  });

  it('reads a Python chain: the original exception and where it was raised', () => {
    const events = errors(fixture('python/chained.log'));
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event.kind).toBe('exception');
      expect(event.cause).toBe("KeyError: 'sku-42' at app.py:10");
    }
    // The logged line and its traceback are one event, named by the exception the application saw last.
    expect(events[0]?.raw).toMatch(/^\S+ \S+ ERROR \[orders\] checkout failed\nTraceback/);
    expect(events[0]?.message).toBe("ValueError: price missing for 'sku-42'");
  });

  it('reads a Java Caused by chain: the deepest cause and its frame', () => {
    const [event, ...rest] = errors(fixture('java/caused-by.log'));
    expect(rest).toHaveLength(0);
    expect(event?.cause).toBe(
      'java.lang.NullPointerException: Cannot invoke "java.lang.Integer.intValue()" because the return value of "java.util.Map.get(Object)" is null at Checkout.java:6',
    );
    expectOneLine(event?.cause);
  });

  it('reads a Node unhandled rejection with a cause as one event', () => {
    const events = errors(fixture('node/unhandled-rejection.log'));
    expect(events).toHaveLength(1);
    expect(events[0]?.kind).toBe('exception');
    expect(events[0]?.message).toBe('Error: checkout failed for cart 42');
    expect(events[0]?.cause).toBe(
      "TypeError: Cannot read properties of undefined (reading 'items') at src/server.mjs:4",
    );
  });
});

// No Ruby on Rails app or .NET SDK runs here: blocks written as the frameworks print them (see the comments).
describe('multi-line events in documented formats', () => {
  it('groups a Rails tagged FATAL block (ActionDispatch::DebugExceptions, Logger formatter) into one event', () => {
    const tag = '[0f3c1d2e-8a]';
    const p = (level: string, text: string) =>
      `${level[0]}, [2026-12-02T15:04:05.123456 #1] ${level.padStart(5)} -- : ${tag} ${text}`;
    const text = [
      p('INFO', 'Completed 500 Internal Server Error in 13ms (ActiveRecord: 2.1ms | Allocations: 3456)'),
      p('FATAL', '  '),
      p('FATAL', "NoMethodError (undefined method `total' for nil:NilClass):"),
      p('FATAL', '  '),
      p('FATAL', "app/models/cart.rb:12:in `checkout_total'"),
      p('FATAL', "app/controllers/carts_controller.rb:20:in `checkout'"),
      p('INFO', 'Started GET "/carts/7" for 10.244.1.7 at 2026-12-02 15:04:06 +0000'),
    ].join('\n');
    const events = parseLogEvents(text);
    expect(events).toHaveLength(3);
    expect(events[0]?.http).toEqual({ status: 500, latencyMs: 13 });
    expect(events[1]).toMatchObject({
      kind: 'exception',
      cause: "NoMethodError: undefined method `total' for nil:NilClass at app/models/cart.rb:12",
    });
    expect(events[1]?.frames).toEqual(['app/models/cart.rb:12', 'app/controllers/carts_controller.rb:20']);
  });

  it('groups an ASP.NET Core fail: block with an inner exception and an indented stack', () => {
    const text = [
      'fail: Microsoft.AspNetCore.Server.Kestrel[13]',
      '      Connection id "0HN7QK8J2N3L4", Request id "0HN7QK8J2N3L4:00000002": An unhandled exception was thrown by the application.',
      '      System.InvalidOperationException: Checkout failed',
      '       ---> System.NullReferenceException: Object reference not set to an instance of an object.',
      '         at Cart.Api.PriceService.Total(Cart cart) in /src/Cart.Api/PriceService.cs:line 42',
      '         at Cart.Api.CheckoutService.Run(Cart cart) in /src/Cart.Api/CheckoutService.cs:line 17',
      '         --- End of inner exception stack trace ---',
      '         at Cart.Api.CheckoutService.Run(Cart cart) in /src/Cart.Api/CheckoutService.cs:line 21',
      '         at lambda_method5(Closure, Object, HttpContext)',
      '         at Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol.ProcessRequests[TContext](IHttpApplication`1 application)',
      'info: Microsoft.AspNetCore.Hosting.Diagnostics[2]',
      '      Request finished HTTP/1.1 POST http://cart:8080/api/checkout - 500 0 - 12.3456ms',
    ].join('\n');
    const events = parseLogEvents(text);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      kind: 'exception',
      level: 'error',
      message: 'System.InvalidOperationException: Checkout failed',
    });
    expect(events[0]?.cause).toBe(
      'System.NullReferenceException: Object reference not set to an instance of an object. at Cart.Api/PriceService.cs:42',
    );
    expect(events[1]?.http).toEqual({ status: 500, latencyMs: 12.3456 });
  });
});
