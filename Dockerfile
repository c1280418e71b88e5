# syntax=docker/dockerfile:1
# Mailroom's image: the API (default command), the worker and the CLI (`migrate`, …) from one
# build. Node 24 runs the TypeScript sources directly (type stripping), so there is no compile
# step; the image holds production dependencies only and fetches nothing when it runs.
ARG NODE_VERSION=24.21.0

# Stage 1: production dependencies, exactly as locked. Install scripts are off: the only one
# (msgpackr-extract's) would try to build a native addon, and its prebuilt binary ships as a
# package of its own; the `node` devDependency (a Node binary for npm scripts) is not installed.
FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Stage 2: the web views (`dist/web`), built with the dev dependencies (Vite, Preact's preset) that
# the runtime does not carry.
FROM node:${NODE_VERSION}-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY web ./web
RUN npx vite build --config web/vite.config.ts

# Stage 3: the runtime, as the unprivileged `node` user of the base image.
FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root src ./src
COPY --chown=root:root jobs ./jobs
COPY --chown=root:root migrations ./migrations
COPY --chown=root:root data/tracking-ip-ranges ./data/tracking-ip-ranges
COPY --from=web --chown=root:root /app/dist/web ./dist/web
# Code is owned by root and read-only to the process that runs it.
USER node
EXPOSE 3000
# Ready means PostgreSQL and Redis answer (`/readyz`); node's own fetch, no curl in the image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm: signals reach the process that handles them (see docs/operations.md).
CMD ["node", "src/main.ts"]
