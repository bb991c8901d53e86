# syntax=docker/dockerfile:1
# deploybot: the Slack app (web) and the release workers in one image.
# DEPLOYBOT_ROLE=web|worker|all (default all) picks what a container runs.
#
# Only the bot's own code ships. The sandbox, the AWS emulator, the benchmarks
# and the test helpers never enter the build context (.dockerignore is an
# allowlist) and the build does not compile them (tsconfig.build.json); the
# runtime stage copies the build's output, the production dependencies and the
# example configuration, nothing else. test/unit/build pins all three.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Only tsc runs here: no install scripts, so the `node` devDependency (Node 24 for
# the scripts and CI; this image has it already) does not fetch its binary.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY commands ./commands
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DEPLOYBOT_CONFIG=/app/config/deploybot.yaml
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no compiler, no test tools in the image.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Owned by root and read-only to the bot: the process cannot rewrite its own code.
COPY --from=build /app/dist ./dist
COPY deploybot.example.yaml ./config/deploybot.example.yaml
# Mount the real configuration at /app/config/deploybot.yaml; secrets come from the environment.
USER node
EXPOSE 3000
# Liveness only (/healthz): an orchestrator that replaces unhealthy containers must
# not kill the workers while Redis is away. /readyz tells whether Redis answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: running steps get up to 30 s to
# finish, so stop with a longer timeout than Docker's 10 s (docker stop -t 45,
# stop_grace_period in compose.yaml, stopTimeout on ECS).
CMD ["node", "dist/src/main.js"]
