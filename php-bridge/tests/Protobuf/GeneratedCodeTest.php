<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Protobuf;

use MailcowScim\Protobuf\Message;
use PHPUnit\Framework\TestCase;

/** Every generated class loads, and every message's descriptor points at classes that exist. */
final class GeneratedCodeTest extends TestCase
{
    public function testEveryGeneratedClassLoadsAndRoundTripsEmpty(): void
    {
        $root = realpath(__DIR__ . '/../../src/Gen');
        $this->assertNotFalse($root);
        $count = 0;
        $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($root, \FilesystemIterator::SKIP_DOTS));
        foreach ($it as $file) {
            $class = 'MailcowScim\\Gen\\' . str_replace('/', '\\', substr($file->getPathname(), \strlen($root) + 1, -4));
            $this->assertTrue(class_exists($class), $class);
            if (is_subclass_of($class, Message::class)) {
                $m = new $class();
                $this->assertSame('', $m->toBinary(), $class);
                foreach ($class::descriptor()['fields'] as $f) {
                    if (isset($f['class'])) {
                        $this->assertTrue(class_exists($f['class']), "$class -> {$f['class']}");
                    }
                    $this->assertTrue(property_exists($m, $f['name']), "$class::\${$f['name']}");
                }
                $count++;
            }
        }
        $this->assertGreaterThan(30, $count);
    }
}
