# ccpty in a container. Build: docker build -t ccpty .   Run (sessions persist in volumes):
#   docker run -p 127.0.0.1:3000:3000 -v ccpty-work:/workspace -v ccpty-data:/data \
#     -v ccpty-claude:/root/.claude -e ANTHROPIC_API_KEY ccpty
# Inside the container it must bind 0.0.0.0 to be reachable; publish the port on the
# host's loopback (as above) unless you put a reverse proxy with TLS and auth in front.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.web.json vite.config.ts ./
COPY src ./src
COPY bin ./bin
COPY scripts ./scripts
COPY native ./native
# The PTY spawner (node-gyp), the server (tsc) and the web UI (Vite), then drop the build tools.
RUN node scripts/ensure-build.mjs --force && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates procps && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV ECHOKIT_CC_BIND_ADDR=0.0.0.0:3000 \
    ECHOKIT_WORKING_PATH=/workspace \
    CCPTY_DATA_DIR=/data \
    DISABLE_AUTOUPDATER=1
VOLUME ["/workspace", "/data"]
EXPOSE 3000
HEALTHCHECK CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "/app/bin/ccpty.js"]
