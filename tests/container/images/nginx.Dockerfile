# Debian's nginx with the user mailcow's nginx image runs it as: nginx, uid/gid 101
# (mailcow's image is built on nginx:alpine). The container test mounts its configuration.
ARG BASE
FROM ${BASE}
RUN set -eux; \
    groupadd --system --gid 101 nginx; \
    useradd --system --uid 101 --gid nginx --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nginx; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx; \
    rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/*; \
    nginx -v
CMD ["nginx", "-g", "daemon off;"]
