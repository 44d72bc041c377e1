# syntax=docker/dockerfile:1
# The GraphQL gateway, production image:
#   docker build -t campaigns-gateway .
#   docker run -p 4000:4000 --env-file .env campaigns-gateway     (settings: .env.example)
# `node tools/scripts/check-dockerfile.mjs` (a CI step) builds it when a Docker engine is there,
# and otherwise runs these very RUN/COPY/CMD lines in scratch folders: keep RUN paths relative to
# WORKDIR and COPY sources inside the context or a stage's WORKDIR.

ARG NODE_VERSION=20.20.2

# Build: the whole workspace, dev dependencies included, libraries and gateway compiled to dist/;
# then the files a production install of the gateway needs are gathered in .deploy/ (the gateway,
# the workspaces it depends on at run time, the root manifest and lockfile).
FROM node:${NODE_VERSION}-bookworm-slim AS build
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
WORKDIR /repo
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npm run build
RUN node tools/scripts/prune.mjs @campaigns/gateway .deploy

# Runtime: production dependencies of the gateway only (no simulator, no tsx, no TypeScript),
# compiled JavaScript, a non-root user. No dependency install script runs (none is needed).
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY --from=build /repo/.deploy/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund -w @campaigns/gateway
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/gateway/dist/main.js"]
