/** Failure renderers: what real runtimes print when a request blows up (Go, Java/Spring, Python/Flask, Node/Express). */
import type { RequestInfo } from './logs.js';

const pad = (n: number): string => String(n).padStart(2, '0');
const goText = (d: Date): string => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${d.toISOString().slice(11, 19)}`;
const python = (d: Date): string => `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)},${String(d.getUTCMilliseconds()).padStart(3, '0')}`;

export const NIL_POINTER = 'runtime error: invalid memory address or nil pointer dereference';

/** A nil-pointer panic in `frame` (e.g. `github.com/acme/cart/internal/cart.(*Handler).ApplyDiscount`), recovered by net/http. */
export function goNilPanic(frame: string, file: string, line: number): (r: RequestInfo) => string[] {
  return (r) => {
    const goroutine = 1000 + r.index * 7;
    const pkg = frame.slice(0, frame.lastIndexOf('/'));
    return [
      `panic: ${NIL_POINTER}`,
      `[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x7b2f45]`,
      '',
      `goroutine ${goroutine} [running]:`,
      'net/http.(*conn).serve.func1()',
      '\t/usr/local/go/src/net/http/server.go:1947 +0xbe',
      'panic({0x8c4f20?, 0xd2a6b0?})',
      '\t/usr/local/go/src/runtime/panic.go:785 +0x132',
      `${frame}(0xc0001a2000, {0xa1b2c0, 0xc0002b4000}, 0xc0003c6000)`,
      `\t${file}:${line} +0x1c5`,
      'net/http.HandlerFunc.ServeHTTP(0xc000190ab0?, {0xa1b2c0?, 0xc0002b4000?}, 0x0?)',
      '\t/usr/local/go/src/net/http/server.go:2220 +0x29',
      `${pkg}/middleware.RequestID.func1({0xa1b2c0, 0xc0002b4000}, 0xc0003c6000)`,
      '\t/app/internal/middleware/requestid.go:23 +0x1a2',
      'net/http.HandlerFunc.ServeHTTP(0xc0003c6000?, {0xa1b2c0?, 0xc0002b4000?}, 0x4d3c1e?)',
      '\t/usr/local/go/src/net/http/server.go:2220 +0x29',
      'net/http.serverHandler.ServeHTTP({0xc000188f00?}, {0xa1b2c0?, 0xc0002b4000?}, 0x6?)',
      '\t/usr/local/go/src/net/http/server.go:3210 +0x8e',
      'net/http.(*conn).serve(0xc0002a2000, {0xa1c3d8, 0xc000188f00})',
      '\t/usr/local/go/src/net/http/server.go:2092 +0x5d0',
      'created by net/http.(*Server).Serve in goroutine 1',
      '\t/usr/local/go/src/net/http/server.go:3360 +0x485',
      `${goText(r.at)} http: panic serving ${r.clientIp}:${40000 + (r.index % 20000)}: ${NIL_POINTER}`,
    ];
  };
}

export const JAVA_NPE = 'java.lang.NullPointerException: Cannot invoke "java.math.BigDecimal.multiply(java.math.BigDecimal)" because "discount" is null';

export function springNpe(service: string): (r: RequestInfo) => string[] {
  return (r) => [
    `${r.at.toISOString()} ERROR 1 --- [${service}] [nio-8080-exec-${(r.index % 10) + 1}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: ${JAVA_NPE}] with root cause`,
    '',
    `jakarta.servlet.ServletException: Request processing failed: ${JAVA_NPE}`,
    '\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1022) ~[spring-webmvc-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.web.servlet.FrameworkServlet.doPost(FrameworkServlet.java:914) ~[spring-webmvc-6.1.10.jar!/:6.1.10]',
    '\tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:590) ~[tomcat-embed-core-10.1.25.jar!/:na]',
    '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885) ~[spring-webmvc-6.1.10.jar!/:6.1.10]',
    '\tat org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:195) ~[tomcat-embed-core-10.1.25.jar!/:na]',
    '\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:140) ~[tomcat-embed-core-10.1.25.jar!/:na]',
    '\tat org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1741) ~[tomcat-embed-core-10.1.25.jar!/:na]',
    '\tat java.base/java.lang.Thread.run(Thread.java:1583) ~[na:na]',
    `Caused by: ${JAVA_NPE}`,
    `\tat com.acme.${service}.PriceService.total(PriceService.java:57) ~[!/:na]`,
    `\tat com.acme.${service}.CheckoutController.checkout(CheckoutController.java:34) ~[!/:na]`,
    '\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103) ~[na:na]',
    '\tat java.base/java.lang.reflect.Method.invoke(Method.java:580) ~[na:na]',
    '\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255) ~[spring-web-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:118) ~[spring-webmvc-6.1.10.jar!/:6.1.10]',
    '\t... 48 common frames omitted',
  ];
}

export function flaskKeyError(r: RequestInfo): string[] {
  return [
    `[${python(r.at)}] ERROR in app: Exception on ${r.path.split('?')[0] ?? r.path} [${r.method}]`,
    'Traceback (most recent call last):',
    '  File "/usr/local/lib/python3.12/site-packages/flask/app.py", line 1473, in wsgi_app',
    '    response = self.full_dispatch_request()',
    '               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/usr/local/lib/python3.12/site-packages/flask/app.py", line 882, in full_dispatch_request',
    '    rv = self.handle_user_exception(e)',
    '         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/usr/local/lib/python3.12/site-packages/flask/app.py", line 880, in full_dispatch_request',
    '    rv = self.dispatch_request()',
    '         ^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/usr/local/lib/python3.12/site-packages/flask/app.py", line 865, in dispatch_request',
    '    return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]',
    '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/app/app/handlers.py", line 31, in recommend',
    "    user_id = payload['user_id']",
    '              ~~~~~~~^^^^^^^^^^^',
    "KeyError: 'user_id'",
  ];
}

export const NODE_TYPE_ERROR = "TypeError: Cannot read properties of undefined (reading 'price')";

export function expressTypeError(r: RequestInfo): string[] {
  return [
    `${r.at.toISOString()} error: unhandled error in ${r.method} ${r.path} request_id=${r.requestId}`,
    NODE_TYPE_ERROR,
    '    at computeTotal (/app/src/server.js:18:25)',
    '    at /app/src/server.js:41:19',
    '    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
    '    at next (/app/node_modules/express/lib/router/route.js:149:13)',
    '    at Route.dispatch (/app/node_modules/express/lib/router/route.js:119:3)',
    '    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
    '    at /app/node_modules/express/lib/router/index.js:284:15',
    '    at Function.process_params (/app/node_modules/express/lib/router/index.js:346:12)',
    '    at next (/app/node_modules/express/lib/router/index.js:280:10)',
    '    at jsonParser (/app/node_modules/body-parser/lib/types/json.js:119:7)',
  ];
}

export function upstreamTimeout(r: RequestInfo): string[] {
  return [
    JSON.stringify({
      level: 'error',
      ts: r.at.toISOString(),
      caller: 'internal/pricing/client.go:88',
      msg: 'upstream request failed',
      upstream: 'http://pricing.shop.svc.cluster.local:8080/v1/prices',
      error: 'Get "http://pricing.shop.svc.cluster.local:8080/v1/prices": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
      attempt: 3,
      request_id: r.requestId,
    }),
  ];
}
