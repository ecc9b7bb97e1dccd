# Vigil's image: built in one stage, run in a slim one as the unprivileged `node` user.
#   docker build -t vigil:local .
# The runtime keeps the repository's layout under /opt/vigil (dist/ plus the asset folders the
# parts read: elasticsearch/, relay/ templates, grafana/ and so on) without tests or dev tools.
FROM node:20.18.1-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts=false
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && rm -rf test bench

FROM node:20.18.1-bookworm-slim
ENV NODE_ENV=production
COPY --from=build --chown=root:root /src /opt/vigil
COPY --chown=root:root vigil.yml /etc/vigil/vigil.yml
RUN mkdir -p /var/lib/vigil && chown node:node /var/lib/vigil
# storage.path (default `data`) is relative to here: /var/lib/vigil/data, a volume in compose.
WORKDIR /var/lib/vigil
USER node
EXPOSE 9470
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9470/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--enable-source-maps", "/opt/vigil/dist/vigil.mjs"]
CMD ["serve", "--config.file=/etc/vigil/vigil.yml", "--web.listen-address=0.0.0.0:9470"]
