# syntax=docker/dockerfile:1
# tickstream: one image for every role; ROLES (or `start --roles`) picks what a container runs.

# ── build: all dependencies, compile the server and the dashboard, then drop dev dependencies ──
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# ── runtime: compiled output and production dependencies only, as the unprivileged `node` user ──
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# The gRPC server loads its .proto files at start (GRPC_PORT).
COPY --from=build /app/proto ./proto
# DATA_DIR (./data) holds the embedded database when DATABASE_URL is not set.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
# Liveness: every process serves /health on PORT, whatever its roles.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["start"]
