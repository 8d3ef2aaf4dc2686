<?php

declare(strict_types=1);

// PSR-4 for MailcowScim\ -> src/. Registered after mailcow's composer autoloader or before it,
// it only ever answers for its own prefix.
spl_autoload_register(static function (string $class): void {
    if (!str_starts_with($class, 'MailcowScim\\')) {
        return;
    }
    $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, \strlen('MailcowScim\\'))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
