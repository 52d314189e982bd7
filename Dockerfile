# foundry-emulator: one image, three roles (the command chooses):
#   docker run -p 8080:8080 foundry-emulator            the all-in-one emulator (role "all")
#   docker run ... foundry-emulator auth | compute      one service of the compose stack
# Data lives in /data (a volume: FOUNDRY_DB=/data/foundry.db); the seed is read from /seeds
# (mount your own over it: -v ./seeds:/seeds:ro). Start-up needs no network.
#
# Build: DOCKER_BUILDKIT=0 docker build -t foundry-emulator .   (works with BuildKit too)

# ---------------------------------------------------------------- manifests
# Only the package manifests, so the dependency layer below is rebuilt when they change and not
# on every source edit (the classic builder's COPY cannot keep the folder structure of a glob).
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
RUN find packages services -type f ! -name package.json -delete \
 && find packages services -depth -type d -empty -delete

# ---------------------------------------------------------------- build
# node:20-bookworm has python3, make and g++: better-sqlite3 is compiled here (no prebuilt
# binaries are downloaded), for the same Node ABI and glibc as the runtime image.
FROM node:20-bookworm AS build
WORKDIR /src
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY --from=manifests /src ./
# Install scripts are skipped (some dev tools build optional native add-ons nobody needs here);
# only the two packages the build uses are then built.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json ./
COPY scripts ./scripts
COPY packages ./packages
COPY services ./services
COPY migrations ./migrations
COPY docker ./docker
RUN node scripts/build.mjs \
 && node docker/collect-runtime-modules.mjs node_modules /out/node_modules

# ---------------------------------------------------------------- runtime
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    FOUNDRY_DB=/data/foundry.db \
    FOUNDRY_SEED=/seeds/default.yaml \
    FOUNDRY_MIGRATIONS=/app/migrations
WORKDIR /app
COPY --from=build /out/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY migrations ./migrations
COPY seeds /seeds
COPY docker/entrypoint.sh docker/healthcheck.sh ./docker/
# A numeric, non-root user (the base image's "node", 1000:1000); a new named volume mounted on
# /data starts with this ownership.
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
VOLUME ["/data"]
EXPOSE 8080
# Docker 20.10 (Debian's) has no --start-interval, so the interval itself is short; the probe is
# bash builtins, cheap enough to run every second.
HEALTHCHECK --interval=1s --timeout=3s --start-period=30s --retries=3 \
  CMD ["/app/docker/healthcheck.sh"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["all"]
