<?php
/*
 * Router for `php -S`: what mailcow's nginx does for the pages under test
 * (data/conf/nginx/templates/sites-default.conf.j2): /inc/lib/ is denied, extension-less
 * pages map to .php, everything else is served from the document root. Bootstrap comes from
 * Debian's libjs-bootstrap5 and Popper 2 from node-popper2 (mailcow bundles both in js/build
 * and css/build; Debian's "bundle" leaves Popper out).
 */

declare(strict_types=1);

$path = (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (str_starts_with($path, '/inc/lib/')) {
    http_response_code(403);
    exit;
}
if (preg_match('#^/vendor/(bootstrap5|popperjs2)/((css/|js/)?[A-Za-z0-9.\-]+)$#', $path, $m)) {
    // Debian's files are symlinks into other directories: check the name, not the target.
    $file = "/usr/share/javascript/{$m[1]}/{$m[2]}";
    if (!is_file($file)) {
        http_response_code(404);
        exit;
    }
    header('Content-Type: ' . (str_ends_with($file, '.css') ? 'text/css' : 'application/javascript'));
    readfile($file);
    exit;
}
if ($path === '/') {
    require __DIR__ . '/index.php';
    exit;
}
if ($path === '/favicon.ico') {
    http_response_code(204);
    exit;
}
if (preg_match('#^/(login|admin/system)$#', $path)) {
    require __DIR__ . $path . '.php';
    exit;
}

return false;
