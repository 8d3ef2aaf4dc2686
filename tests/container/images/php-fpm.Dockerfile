# Debian's php8.2-fpm with the user mailcow's php-fpm image runs PHP as: www-data, uid/gid 82
# (mailcow's image is built on php:8.2-fpm-alpine, where www-data is 82; Debian's is 33).
# curl (the bridge's gRPC transport) and mysql (PDO, as mailcow's PHP uses) are mailcow's too.
ARG BASE
FROM ${BASE}
RUN set -eux; \
    groupmod --gid 82 www-data; \
    usermod --uid 82 --gid 82 www-data; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends php8.2-fpm php8.2-curl php8.2-mysql; \
    rm -rf /var/lib/apt/lists/*; \
    php-fpm8.2 -v; id www-data
CMD ["php-fpm8.2", "--nodaemonize", "--force-stderr"]
