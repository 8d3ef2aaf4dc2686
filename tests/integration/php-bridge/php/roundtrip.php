<?php
/*
 * Decodes each case with the generated PHP classes and encodes it again, both from the decoded
 * message and from its array form: php roundtrip.php GENERATED_DIR CASES_JSON.
 * Prints one JSON array of results (hex of both encodings, the array form, or the error).
 */

declare(strict_types=1);

require __DIR__ . '/../../../../php-bridge/src/autoload.php';
$genDir = $argv[1];
spl_autoload_register(static function (string $class) use ($genDir): void {
    if (str_starts_with($class, 'MailcowScim\\TestGen\\')) {
        $file = $genDir . '/' . str_replace('\\', '/', substr($class, strlen('MailcowScim\\TestGen\\'))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

$results = [];
foreach (json_decode((string) file_get_contents($argv[2]), true, 512, JSON_THROW_ON_ERROR) as $case) {
    $class = 'MailcowScim\\TestGen\\' . $case['class'];
    try {
        $message = $class::fromBinary((string) hex2bin($case['hex']));
        $array = $message->toArray();
        $results[] = [
            'name' => $case['name'],
            'hex' => bin2hex($message->toBinary()),
            'array' => $array,
            'fromArrayHex' => bin2hex($class::fromArray($array)->toBinary()),
        ];
    } catch (Throwable $e) {
        $results[] = ['name' => $case['name'], 'error' => get_class($e) . ': ' . $e->getMessage()];
    }
}
echo json_encode($results, JSON_PRESERVE_ZERO_FRACTION | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
