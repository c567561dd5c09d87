/** Failure renderers: what real runtimes print when a request blows up (Go, Java/Spring, Python/Flask, Node/Express). */
import type { RequestInfo } from './logs.js';

const pad = (n: number): string => String(n).padStart(2, '0');
const goText = (d: Date): string =>
  `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${d.toISOString().slice(11, 19)}`;
const python = (d: Date): string =>
  `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)},${String(d.getUTCMilliseconds()).padStart(3, '0')}`;

/** The bottom of every goroutine serving an HTTP request: net/http's own frames. */
const GO_HTTP_SERVE_FRAMES = [
  'net/http.serverHandler.ServeHTTP({0xc000188f00?}, {0xa1b2c0?, 0xc0002b4000?}, 0x6?)',
  '\t/usr/local/go/src/net/http/server.go:3210 +0x8e',
  'net/http.(*conn).serve(0xc0002a2000, {0xa1c3d8, 0xc000188f00})',
  '\t/usr/local/go/src/net/http/server.go:2092 +0x5d0',
  'created by net/http.(*Server).Serve in goroutine 1',
  '\t/usr/local/go/src/net/http/server.go:3360 +0x485',
];

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
      ...GO_HTTP_SERVE_FRAMES,
      `${goText(r.at)} http: panic serving ${r.clientIp}:${40000 + (r.index % 20000)}: ${NIL_POINTER}`,
    ];
  };
}

export const JAVA_NPE =
  'java.lang.NullPointerException: Cannot invoke "java.math.BigDecimal.multiply(java.math.BigDecimal)" because "discount" is null';

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

/** The framework frames every Flask view exception starts with. */
const FLASK_TRACEBACK_HEAD = [
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
];

export function flaskKeyError(r: RequestInfo): string[] {
  return [
    `[${python(r.at)}] ERROR in app: Exception on ${r.path.split('?')[0] ?? r.path} [${r.method}]`,
    ...FLASK_TRACEBACK_HEAD,
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
      error:
        'Get "http://pricing.shop.svc.cluster.local:8080/v1/prices": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
      attempt: 3,
      request_id: r.requestId,
    }),
  ];
}

/** A Python bug that stable and canary share: an empty score list divides by zero in the ranking helper. */
export function flaskZeroDivision(r: RequestInfo): string[] {
  return [
    `[${python(r.at)}] ERROR in app: Exception on ${r.path.split('?')[0] ?? r.path} [${r.method}]`,
    ...FLASK_TRACEBACK_HEAD,
    '  File "/app/app/handlers.py", line 44, in recommend',
    '    scores = ranking.normalise(raw_scores)',
    '             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/app/app/ranking.py", line 19, in normalise',
    '    return [s / total for s in scores]',
    '            ~~^~~~~~~',
    'ZeroDivisionError: division by zero',
  ];
}

export const GO_CONCURRENT_MAP_WRITES = 'fatal error: concurrent map writes';

/**
 * The Go runtime's unrecoverable fatal error when two goroutines write one map: no recover() catches it, the
 * process prints every goroutine and exits with status 2. Goroutine numbers follow `seed` so each dump differs.
 */
export function goConcurrentMapWrites(seed: number): string[] {
  const g = 1200 + (seed % 800);
  return [
    GO_CONCURRENT_MAP_WRITES,
    '',
    `goroutine ${g} [running]:`,
    'runtime.fatal({0x9a5c1e?, 0x0?})',
    '\t/usr/local/go/src/runtime/panic.go:1042 +0x5c',
    'runtime.mapassign_faststr(0x8b4e20, 0xc0001a4330, {0xc000a12340, 0x18})',
    '\t/usr/local/go/src/runtime/map_faststr.go:224 +0x3e5',
    'github.com/acme/sessions/internal/store.(*MemoryStore).Touch(0xc0001b4000, {0xc000a12340, 0x18}, {0xc19b6a1c2f4e8d10?, 0x2d8a3b1f9?, 0xd3e2a0?})',
    '\t/app/internal/store/memory.go:61 +0x8c',
    'github.com/acme/sessions/internal/api.(*Server).handleTouch(0xc000128000, {0xa1b2c0, 0xc0002b4000}, 0xc0003c6000)',
    '\t/app/internal/api/sessions.go:118 +0x1d4',
    'net/http.HandlerFunc.ServeHTTP(0xc000190ab0?, {0xa1b2c0?, 0xc0002b4000?}, 0x0?)',
    '\t/usr/local/go/src/net/http/server.go:2220 +0x29',
    ...GO_HTTP_SERVE_FRAMES,
    '',
    'goroutine 1 [IO wait]:',
    'internal/poll.runtime_pollWait(0x7f3c2a5e1e88, 0x72)',
    '\t/usr/local/go/src/runtime/netpoll.go:345 +0x85',
    'internal/poll.(*pollDesc).waitRead(...)',
    '\t/usr/local/go/src/internal/poll/fd_poll_runtime.go:89',
    'net.(*netFD).accept(0xc000196080)',
    '\t/usr/local/go/src/net/fd_unix.go:172 +0x29',
    'net/http.(*Server).ListenAndServe(0xc0001a0000)',
    '\t/usr/local/go/src/net/http/server.go:3259 +0x71',
    'main.main()',
    '\t/app/cmd/sessions/main.go:57 +0x3c5',
    '',
    `goroutine ${g - 3} [runnable]:`,
    'github.com/acme/sessions/internal/store.(*MemoryStore).Touch(0xc0001b4000, {0xc000b80120, 0x18}, {0xc19b6a1c2f4f1a88?, 0x2d8a3e0c1?, 0xd3e2a0?})',
    '\t/app/internal/store/memory.go:61 +0x8c',
    'github.com/acme/sessions/internal/api.(*Server).handleTouch(0xc000128000, {0xa1b2c0, 0xc0004c2000}, 0xc0004d0000)',
    '\t/app/internal/api/sessions.go:118 +0x1d4',
    'created by net/http.(*Server).Serve in goroutine 1',
    '\t/usr/local/go/src/net/http/server.go:3360 +0x485',
  ];
}

/**
 * What a Node service with a `process.on('unhandledRejection')` handler prints before `process.exit(1)`: one pino
 * fatal record carrying the rejected error and its stack (an awaited webhook delivery nobody caught).
 */
export function pinoUnhandledRejection(at: Date, hostname: string, deliveryId: string): string {
  const stack = [
    'AxiosError: Request failed with status code 410',
    '    at settle (/app/node_modules/axios/dist/node/axios.cjs:2019:12)',
    '    at IncomingMessage.handleStreamEnd (/app/node_modules/axios/dist/node/axios.cjs:3135:11)',
    '    at IncomingMessage.emit (node:events:531:35)',
    '    at endReadableNT (node:internal/streams/readable:1696:12)',
    '    at process.processTicksAndRejections (node:internal/process/task_queues:82:21)',
    '    at async deliver (/app/src/delivery/deliver.js:52:5)',
    '    at async Worker.run (/app/src/delivery/worker.js:31:7)',
  ].join('\n');
  return JSON.stringify({
    level: 60,
    time: at.getTime(),
    pid: 1,
    hostname,
    err: { type: 'AxiosError', message: 'Request failed with status code 410', stack, code: 'ERR_BAD_REQUEST' },
    deliveryId,
    msg: 'UnhandledPromiseRejection: a promise rejected with no handler, exiting',
  });
}

export const SPRING_MISSING_PLACEHOLDER = `Could not resolve placeholder 'LEDGER_API_URL' in value "\${LEDGER_API_URL}"`;

/**
 * Spring Boot failing at start-up: the context refresh is cancelled and `Application run failed` prints a chain of
 * `Caused by:` whose last link is the real reason (an unresolved placeholder for a missing environment variable).
 */
export function springStartupFailure(service: string, version: string, at: Date): string[] {
  const t = (ms: number): string => new Date(at.getTime() + ms).toISOString();
  const controller = `URL [jar:nested:/app/app.jar/!BOOT-INF/classes/!/com/acme/${service}/web/InvoiceController.class]`;
  const client = `URL [jar:nested:/app/app.jar/!BOOT-INF/classes/!/com/acme/${service}/ledger/LedgerClient.class]`;
  const unsatisfied = `Error creating bean with name 'invoiceController' defined in ${controller}: Unsatisfied dependency expressed through constructor parameter 0: Error creating bean with name 'ledgerClient' defined in ${client}: Unexpected exception during bean creation: java.lang.IllegalArgumentException: ${SPRING_MISSING_PLACEHOLDER}`;
  return [
    `${t(0)}  WARN 1 --- [${service}] [           main] ConfigServletWebServerApplicationContext : Exception encountered during context initialization - cancelling refresh attempt: org.springframework.beans.factory.UnsatisfiedDependencyException: ${unsatisfied}`,
    `${t(14)}  INFO 1 --- [${service}] [           main] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Shutdown initiated...`,
    `${t(21)}  INFO 1 --- [${service}] [           main] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Shutdown completed.`,
    `${t(25)}  INFO 1 --- [${service}] [           main] o.apache.catalina.core.StandardService   : Stopping service [Tomcat]`,
    `${t(60)}  INFO 1 --- [${service}] [           main] .s.b.a.l.ConditionEvaluationReportLogger : `,
    '',
    "Error starting ApplicationContext. To display the condition evaluation report re-run your application with 'debug' enabled.",
    `${t(81)} ERROR 1 --- [${service}] [           main] o.s.boot.SpringApplication               : Application run failed`,
    '',
    `org.springframework.beans.factory.UnsatisfiedDependencyException: ${unsatisfied}`,
    '\tat org.springframework.beans.factory.support.ConstructorResolver.createArgumentArray(ConstructorResolver.java:795) ~[spring-beans-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.beans.factory.support.ConstructorResolver.autowireConstructor(ConstructorResolver.java:237) ~[spring-beans-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.createBean(AbstractAutowireCapableBeanFactory.java:522) ~[spring-beans-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.beans.factory.support.DefaultListableBeanFactory.preInstantiateSingletons(DefaultListableBeanFactory.java:975) ~[spring-beans-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.context.support.AbstractApplicationContext.refresh(AbstractApplicationContext.java:627) ~[spring-context-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:335) ~[spring-boot-3.3.1.jar!/:3.3.1]',
    `\tat com.acme.${service}.Application.main(Application.java:12) ~[!/:${version}]`,
    '\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103) ~[na:na]',
    '\tat org.springframework.boot.loader.launch.JarLauncher.main(JarLauncher.java:58) ~[app.jar:na]',
    `Caused by: org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'ledgerClient' defined in ${client}: Unexpected exception during bean creation: java.lang.IllegalArgumentException: ${SPRING_MISSING_PLACEHOLDER}`,
    '\tat org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.createBean(AbstractAutowireCapableBeanFactory.java:535) ~[spring-beans-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.beans.factory.support.DefaultListableBeanFactory.doResolveDependency(DefaultListableBeanFactory.java:1443) ~[spring-beans-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.beans.factory.support.ConstructorResolver.resolveAutowiredArgument(ConstructorResolver.java:904) ~[spring-beans-6.1.10.jar!/:6.1.10]',
    '\t... 24 common frames omitted',
    `Caused by: java.lang.IllegalArgumentException: ${SPRING_MISSING_PLACEHOLDER}`,
    '\tat org.springframework.util.PropertyPlaceholderHelper.parseStringValue(PropertyPlaceholderHelper.java:180) ~[spring-core-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.util.PropertyPlaceholderHelper.replacePlaceholders(PropertyPlaceholderHelper.java:126) ~[spring-core-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.beans.factory.support.AbstractBeanFactory.resolveEmbeddedValue(AbstractBeanFactory.java:964) ~[spring-beans-6.1.10.jar!/:6.1.10]',
    '\tat org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor$AutowiredFieldElement.resolveFieldValue(AutowiredAnnotationBeanPostProcessor.java:768) ~[spring-beans-6.1.10.jar!/:6.1.10]',
    `\tat com.acme.${service}.ledger.LedgerClient.<init>(LedgerClient.java:38) ~[!/:${version}]`,
    '\t... 37 common frames omitted',
  ];
}
