/**
 * nginx.conf of the container test's nginx: the parts of mailcow's that matter to SCIM (workers
 * as nginx 101, data/conf/nginx/*.conf at http level, a server block that includes
 * data/conf/nginx/site.*.custom, mailcow's regex locations and its server-wide 502 page), a TCP
 * listener for the test on the host's loopback, and one FastCGI location standing in for
 * mailcow's PHP pages (tests/container/php/login.php).
 */
export function containerNginxConf(port: number): string {
  return `user nginx;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr notice;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server_tokens off;
    access_log off;

    server {
        listen 127.0.0.1:${port};
        server_name _;
        absolute_redirect off;
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        real_ip_recursive on;

        location / { return 404 "mailcow page\\n"; }

        # The way mailcow's PHP runs: FastCGI to php-fpm, which calls the sidecar over gRPC.
        location = /mcs-login {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME /mcs-test/login.php;
            fastcgi_pass unix:/run/mcs-fpm/fpm.sock;
        }

        include /etc/nginx/conf.d/site.*.custom;

        error_page 502 @awaitingupstream;
        location @awaitingupstream { return 502 "<html>mailcow is starting</html>"; }
        location ~* \\.php$ { return 404; }
    }

    # As mailcow's nginx.conf: data/conf/nginx/*.conf at http level (the sidecar's upstream).
    include /etc/nginx/conf.d/*.conf;
}
`;
}
