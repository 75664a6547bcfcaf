# clawops: one image for `start`, `bot`, `worker` and `check`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY commands ./commands
COPY jobs ./jobs
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# V8's heap for the long-running processes. The young generation's default grows to 32 MB and
# stays there, which is most of what a worker's RSS has beyond its code (measured, 500 gateways
# every 60 s: 127–129 → 114–117 MB, for about half a point more CPU). The old generation's maximum
# also sets where its first full collection starts: with the default (a quarter of the host's
# memory) a worker's old space fills to ~60 MB before one, with 512 MB at most it is collected from
# ~35 MB (a 500-gateway worker lives in ~27 MB; 2,000 gateways in well under 512). A one-shot
# `check` in the container takes both too.
ENV NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=512"
# The device identity (device.json, 0600) lives here. Created owned by the user the container runs
# as, so that a new named volume mounted on it inherits that owner: without this, Docker creates
# it root-owned, the identity cannot be written, and remote gateways can never be paired.
ENV XDG_STATE_HOME=/var/lib/clawops
RUN install -d -o node -g node -m 0700 /var/lib/clawops /var/lib/clawops/clawops
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
VOLUME ["/var/lib/clawops"]
# /readyz (src/health/server.ts): Redis reachable, Slack connected, workers running.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s CMD ["node", "-e", "fetch('http://127.0.0.1:9464/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/bundle/clawops.js"]
CMD ["start"]
