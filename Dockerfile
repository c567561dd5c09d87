# syntax=docker/dockerfile:1.7
# aiops-agent: build the monorepo, then ship only @aiops/agent with its production dependencies.

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    TURBO_TELEMETRY_DISABLED=1 \
    CI=true
# The version pinned by package.json's packageManager; npm avoids corepack's signature-key prompts.
RUN npm install --global pnpm@10.34.8
WORKDIR /src
# Dependencies first, from the lockfile alone, so that source changes reuse this layer.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile --offline
RUN pnpm build
# A self-contained copy of the agent: its dist, and node_modules with production dependencies only (workspace
# packages copied with their dist). --legacy because the workspace does not inject workspace packages.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm --filter @aiops/agent --prod deploy --legacy /out \
 && rm -rf /out/src /out/test /out/tsconfig*.json

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0
WORKDIR /app
# uid 10001 matches the chart's runAsUser; no shell login, no home directory writes needed.
RUN groupadd --system --gid 10001 aiops \
 && useradd --system --uid 10001 --gid aiops --no-create-home --shell /usr/sbin/nologin aiops
COPY --from=build --chown=root:root /out /app
USER 10001:10001
EXPOSE 8080
# Slim images have no curl: node itself asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and the service drains on SIGTERM itself (the exec form passes signals straight to it).
CMD ["node", "dist/main.js"]
