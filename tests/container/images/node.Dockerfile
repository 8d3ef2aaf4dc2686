# Node base image for deploy/Dockerfile (its NODE_IMAGE), made without a registry image: the
# debootstrap root of scripts/base-images.sh, the official Node build from the npm registry,
# npm 11, and a `node` user 1000:1000, as in the official node:*-bookworm-slim images.
ARG BASE
FROM ${BASE}
# The binary arrives executable (a chmod here would store its 120 MB a second time).
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN set -eux; \
    ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm; \
    ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx; \
    groupadd --gid 1000 node; \
    useradd --uid 1000 --gid node --shell /bin/bash --create-home node; \
    node --version; npm --version
# The machine's CA bundle is in the root: Node and npm trust it too (outbound TLS may pass a proxy).
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
