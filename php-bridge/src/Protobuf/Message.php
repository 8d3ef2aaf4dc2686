<?php

declare(strict_types=1);

namespace MailcowScim\Protobuf;

/**
 * Base class of the generated messages (scripts/protoc-gen-php-lite.mjs): the proto3 binary
 * encoding and a strict array form, driven by each class's descriptor.
 *
 * A descriptor is `['name' => 'pkg.Message', 'fields' => [number => spec]]`, where a spec has
 * `name` (the PHP property), `json` (the JSON name), `proto` (the .proto name), `type` (a
 * FieldType), and as needed `class` (message or enum class), `optional` (explicit presence:
 * null means unset), `oneof` (the oneof's name), `repeated`, `packed`, `map` and `key` (the
 * map key's FieldType).
 *
 * Encoding follows protobuf.dev "Encoding": implicit-presence scalars equal to their default
 * are not written, repeated scalars are packed when the descriptor says so, and a decoder
 * accepts packed and unpacked repeated scalars alike, skips unknown fields, merges repeated
 * occurrences of a singular message field and lets the last member of a oneof win.
 */
abstract class Message
{
    private const MAX_DEPTH = 100;

    /** @var array<class-string, array<int, array<string, mixed>>> */
    private static array $fieldCache = [];

    /** @var array<class-string, array<string, int>> every accepted array key -> field number */
    private static array $keyCache = [];

    /** @return array{name: string, fields: array<int, array<string, mixed>>} */
    abstract public static function descriptor(): array;

    /**
     * @param array<string, mixed> $values initial field values, as fromArray() takes them
     * @throws InvalidMessageException
     */
    final public function __construct(array $values = [])
    {
        if ($values !== []) {
            $this->mergeArray($values);
        }
    }

    /** The protobuf message's full name, e.g. mailcow.scim.v1.Token. */
    public static function messageName(): string
    {
        return static::descriptor()['name'];
    }

    /** @throws InvalidMessageException when a field holds a value its type does not allow */
    public function toBinary(): string
    {
        $writer = new WireWriter();
        $this->writeTo($writer, 0);

        return $writer->bytes();
    }

    /** @throws DecodeException */
    public static function fromBinary(string $bytes): static
    {
        $message = new static();
        $message->mergeFrom(new WireReader($bytes), 0);

        return $message;
    }

    /**
     * The message as an array keyed by JSON field names: every field present (unset optional
     * and message fields as null), enums as their names (numbers when unknown), bytes as base64.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        $out = [];
        foreach (self::fields(static::class) as $f) {
            $value = $this->{$f['name']};
            if (!empty($f['map'])) {
                $map = [];
                foreach ($value as $k => $v) {
                    $map[$k] = self::exportValue($f, $v);
                }
                $out[$f['json']] = $map;
            } elseif (!empty($f['repeated'])) {
                $out[$f['json']] = array_map(static fn ($v) => self::exportValue($f, $v), $value);
            } else {
                $out[$f['json']] = $value === null ? null : self::exportValue($f, $value);
            }
        }

        return $out;
    }

    /**
     * Builds a message from an array keyed by JSON names, .proto names or property names.
     * Strict: an unknown key, a wrong type or an out-of-range number is an error, so a typo in
     * an admin form never silently does nothing.
     *
     * @param array<string, mixed> $values
     * @throws InvalidMessageException
     */
    public static function fromArray(array $values): static
    {
        return new static($values);
    }

    /**
     * @param array<string, mixed> $values
     * @throws InvalidMessageException
     */
    private function mergeArray(array $values, int $depth = 0): void
    {
        if ($depth > self::MAX_DEPTH) {
            throw new InvalidMessageException('message nested too deeply');
        }
        $fields = self::fields(static::class);
        $keys = self::keys(static::class);
        foreach ($values as $key => $value) {
            $number = $keys[(string) $key] ?? null;
            if ($number === null) {
                throw new InvalidMessageException(sprintf('%s has no field "%s"', static::messageName(), $key));
            }
            $f = $fields[$number];
            $where = static::messageName() . '.' . $f['json'];
            if (!empty($f['map'])) {
                if ($value === null) {
                    $value = [];
                }
                if (!\is_array($value)) {
                    throw new InvalidMessageException("$where must be an object");
                }
                $map = [];
                foreach ($value as $k => $v) {
                    $map[self::importMapKey($f['key'], $k, $where)] = self::importValue($f, $v, "{$where}[{$k}]", $depth);
                }
                $this->{$f['name']} = $map;
            } elseif (!empty($f['repeated'])) {
                if ($value === null) {
                    $value = [];
                }
                if (!\is_array($value) || !array_is_list($value)) {
                    throw new InvalidMessageException("$where must be a list");
                }
                $list = [];
                foreach ($value as $i => $v) {
                    $list[] = self::importValue($f, $v, "{$where}[{$i}]", $depth);
                }
                $this->{$f['name']} = $list;
            } elseif ($value === null) {
                $this->{$f['name']} = ($f['type'] === FieldType::MESSAGE || !empty($f['optional'])) ? null : self::defaultOf($f['type']);
            } else {
                $this->{$f['name']} = self::importValue($f, $value, $where, $depth);
                $this->clearOneofSiblings($f);
            }
        }
    }

    private function writeTo(WireWriter $w, int $depth): void
    {
        if ($depth > self::MAX_DEPTH) {
            throw new InvalidMessageException('message nested too deeply');
        }
        foreach (self::fields(static::class) as $number => $f) {
            $value = $this->{$f['name']};
            $where = static::messageName() . '.' . $f['json'];
            $type = $f['type'];
            if (!empty($f['map'])) {
                if (!\is_array($value)) {
                    throw new InvalidMessageException("$where must be an array");
                }
                foreach ($value as $k => $v) {
                    $entry = new WireWriter();
                    $key = self::importMapKey($f['key'], $k, $where);
                    self::checkScalar($f['key'], $key, $where);
                    $entry->tag(1, FieldType::wireType($f['key']));
                    $entry->scalar($f['key'], $key);
                    self::writeSingle($entry, 2, $f, $v, "{$where}[{$k}]", $depth);
                    $w->tag($number, FieldType::WIRE_LEN);
                    $w->lengthDelimited($entry->bytes());
                }
            } elseif (!empty($f['repeated'])) {
                if (!\is_array($value)) {
                    throw new InvalidMessageException("$where must be an array");
                }
                if ($value === []) {
                    continue;
                }
                if (!empty($f['packed'])) {
                    $packed = new WireWriter();
                    foreach ($value as $v) {
                        self::checkScalar($type, $v, $where, $f['class'] ?? null);
                        $packed->scalar($type, $v);
                    }
                    $w->tag($number, FieldType::WIRE_LEN);
                    $w->lengthDelimited($packed->bytes());
                } else {
                    foreach ($value as $v) {
                        self::writeSingle($w, $number, $f, $v, $where, $depth);
                    }
                }
            } elseif ($value !== null) {
                if ($type !== FieldType::MESSAGE && empty($f['optional']) && self::isDefault($type, $value)) {
                    continue;
                }
                self::writeSingle($w, $number, $f, $value, $where, $depth);
            }
        }
    }

    /** @param array<string, mixed> $f */
    private static function writeSingle(WireWriter $w, int $number, array $f, mixed $value, string $where, int $depth): void
    {
        if ($f['type'] === FieldType::MESSAGE) {
            if (!$value instanceof $f['class']) {
                throw new InvalidMessageException("$where must be a " . $f['class']::messageName());
            }
            $sub = new WireWriter();
            $value->writeTo($sub, $depth + 1);
            $w->tag($number, FieldType::WIRE_LEN);
            $w->lengthDelimited($sub->bytes());

            return;
        }
        self::checkScalar($f['type'], $value, $where);
        $w->tag($number, FieldType::wireType($f['type']));
        $w->scalar($f['type'], $value);
    }

    private function mergeFrom(WireReader $r, int $depth): void
    {
        if ($depth > self::MAX_DEPTH) {
            throw new DecodeException('message nested too deeply');
        }
        $fields = self::fields(static::class);
        while (!$r->atEnd()) {
            [$number, $wireType] = $r->tag();
            if ($wireType === FieldType::WIRE_EGROUP) {
                throw new DecodeException('end of group without a start');
            }
            $f = $fields[$number] ?? null;
            if ($f === null) {
                $r->skip($wireType, $number);
                continue;
            }
            $type = $f['type'];
            $where = static::messageName() . '.' . $f['json'];
            if (!empty($f['map'])) {
                self::expectWire($wireType, FieldType::WIRE_LEN, $where);
                [$k, $v] = self::readMapEntry(new WireReader($r->lengthDelimited()), $f, $where, $depth);
                $this->{$f['name']}[$k] = $v;
            } elseif (!empty($f['repeated'])) {
                if ($type === FieldType::MESSAGE) {
                    self::expectWire($wireType, FieldType::WIRE_LEN, $where);
                    $item = new $f['class']();
                    $item->mergeFrom(new WireReader($r->lengthDelimited()), $depth + 1);
                    $this->{$f['name']}[] = $item;
                } elseif ($wireType === FieldType::WIRE_LEN && FieldType::isPackable($type)) {
                    $packed = new WireReader($r->lengthDelimited());
                    while (!$packed->atEnd()) {
                        $this->{$f['name']}[] = $packed->scalar($type);
                    }
                } else {
                    self::expectWire($wireType, FieldType::wireType($type), $where);
                    $this->{$f['name']}[] = $r->scalar($type);
                }
            } elseif ($type === FieldType::MESSAGE) {
                self::expectWire($wireType, FieldType::WIRE_LEN, $where);
                $current = $this->{$f['name']};
                $item = $current ?? new $f['class']();
                $item->mergeFrom(new WireReader($r->lengthDelimited()), $depth + 1);
                $this->{$f['name']} = $item;
                $this->clearOneofSiblings($f);
            } else {
                self::expectWire($wireType, FieldType::wireType($type), $where);
                $this->{$f['name']} = $r->scalar($type);
                $this->clearOneofSiblings($f);
            }
        }
    }

    /**
     * @param array<string, mixed> $f
     * @return array{0: int|string, 1: mixed}
     */
    private static function readMapEntry(WireReader $r, array $f, string $where, int $depth): array
    {
        $key = self::defaultOf($f['key']);
        $value = $f['type'] === FieldType::MESSAGE ? null : self::defaultOf($f['type']);
        while (!$r->atEnd()) {
            [$n, $wt] = $r->tag();
            if ($n === 1) {
                self::expectWire($wt, FieldType::wireType($f['key']), "$where key");
                $key = $r->scalar($f['key']);
            } elseif ($n === 2 && $f['type'] === FieldType::MESSAGE) {
                self::expectWire($wt, FieldType::WIRE_LEN, "$where value");
                $value ??= new $f['class']();
                $value->mergeFrom(new WireReader($r->lengthDelimited()), $depth + 1);
            } elseif ($n === 2) {
                self::expectWire($wt, FieldType::wireType($f['type']), "$where value");
                $value = $r->scalar($f['type']);
            } else {
                $r->skip($wt, $n);
            }
        }
        if ($f['type'] === FieldType::MESSAGE && $value === null) {
            $value = new $f['class']();
        }

        return [\is_bool($key) ? (int) $key : $key, $value];
    }

    /** @param array<string, mixed> $f */
    private function clearOneofSiblings(array $f): void
    {
        if (!isset($f['oneof'])) {
            return;
        }
        foreach (self::fields(static::class) as $other) {
            if (($other['oneof'] ?? null) === $f['oneof'] && $other['name'] !== $f['name']) {
                $this->{$other['name']} = null;
            }
        }
    }

    private static function expectWire(int $actual, int $expected, string $where): void
    {
        if ($actual !== $expected) {
            throw new DecodeException("$where: wire type $actual where $expected was expected");
        }
    }

    private static function isDefault(int $type, mixed $value): bool
    {
        return match ($type) {
            FieldType::BOOL => $value === false,
            FieldType::STRING, FieldType::BYTES => $value === '',
            // -0.0 is not the default: its sign bit must survive (fdiv gives -INF for it).
            FieldType::FLOAT, FieldType::DOUBLE => (float) $value === 0.0 && fdiv(1.0, (float) $value) > 0,
            default => $value === 0,
        };
    }

    private static function defaultOf(int $type): mixed
    {
        return match ($type) {
            FieldType::BOOL => false,
            FieldType::STRING, FieldType::BYTES => '',
            FieldType::FLOAT, FieldType::DOUBLE => 0.0,
            default => 0,
        };
    }

    /** Checks a value about to be encoded; typed properties cover singular fields, lists need this. */
    private static function checkScalar(int $type, mixed $value, string $where, ?string $enumClass = null): void
    {
        $ok = match ($type) {
            FieldType::INT32, FieldType::SINT32, FieldType::SFIXED32, FieldType::ENUM => \is_int($value) && $value >= -0x80000000 && $value <= 0x7FFFFFFF,
            FieldType::UINT32, FieldType::FIXED32 => \is_int($value) && $value >= 0 && $value <= 0xFFFFFFFF,
            FieldType::INT64, FieldType::UINT64, FieldType::SINT64, FieldType::FIXED64, FieldType::SFIXED64 => \is_int($value),
            FieldType::BOOL => \is_bool($value),
            FieldType::FLOAT, FieldType::DOUBLE => \is_float($value) || \is_int($value),
            FieldType::STRING => \is_string($value) && preg_match('//u', $value) === 1,
            FieldType::BYTES => \is_string($value),
            default => false,
        };
        if (!$ok) {
            throw new InvalidMessageException("$where: " . self::describeBadValue($type, $value));
        }
    }

    private static function describeBadValue(int $type, mixed $value): string
    {
        if ($type === FieldType::STRING && \is_string($value)) {
            return 'not valid UTF-8';
        }

        return sprintf('%s is not a valid %s', get_debug_type($value), match ($type) {
            FieldType::INT32, FieldType::SINT32, FieldType::SFIXED32 => '32-bit integer',
            FieldType::UINT32, FieldType::FIXED32 => 'unsigned 32-bit integer',
            FieldType::ENUM => 'enum number',
            FieldType::BOOL => 'boolean',
            FieldType::FLOAT, FieldType::DOUBLE => 'number',
            FieldType::STRING, FieldType::BYTES => 'string',
            default => 'integer',
        });
    }

    /** @param array<string, mixed> $f */
    private static function exportValue(array $f, mixed $v): mixed
    {
        return match ($f['type']) {
            FieldType::MESSAGE => $v->toArray(),
            FieldType::ENUM => $f['class']::name($v) ?? $v,
            FieldType::BYTES => base64_encode($v),
            default => $v,
        };
    }

    /** @param array<string, mixed> $f */
    private static function importValue(array $f, mixed $v, string $where, int $depth): mixed
    {
        $type = $f['type'];
        if ($type === FieldType::MESSAGE) {
            if ($v instanceof $f['class']) {
                return $v;
            }
            if (!\is_array($v) || ($v !== [] && array_is_list($v))) {
                throw new InvalidMessageException("$where must be an object");
            }
            $m = new $f['class']();
            $m->mergeArray($v, $depth + 1);

            return $m;
        }
        if ($type === FieldType::ENUM) {
            if (\is_string($v) && !preg_match('/^-?\d+$/', $v)) {
                $n = $f['class']::value($v);
                if ($n === null) {
                    throw new InvalidMessageException("$where: \"$v\" is not a value of " . $f['class']);
                }

                return $n;
            }
        }
        if ($type === FieldType::BYTES) {
            $bytes = \is_string($v) ? base64_decode($v, true) : false;
            if ($bytes === false) {
                throw new InvalidMessageException("$where must be base64");
            }

            return $bytes;
        }
        $converted = match ($type) {
            FieldType::FLOAT, FieldType::DOUBLE => \is_int($v) || \is_float($v) ? (float) $v : (\is_string($v) && is_numeric($v) ? (float) $v : $v),
            FieldType::BOOL, FieldType::STRING => $v,
            default => \is_string($v) && preg_match('/^-?\d{1,19}$/', $v) ? (int) $v : $v,
        };
        self::checkScalar($type, $converted, $where);

        return $converted;
    }

    private static function importMapKey(int $type, int|string $key, string $where): int|string|bool
    {
        if ($type === FieldType::STRING) {
            $key = (string) $key;
            self::checkScalar($type, $key, "$where key");

            return $key;
        }
        if ($type === FieldType::BOOL) {
            return \in_array($key, [1, '1', 'true'], true);
        }
        if (\is_string($key) && !preg_match('/^-?\d{1,19}$/', $key)) {
            throw new InvalidMessageException("$where: key \"$key\" is not an integer");
        }
        $key = (int) $key;
        self::checkScalar($type, $key, "$where key");

        return $key;
    }

    /** @return array<int, array<string, mixed>> */
    private static function fields(string $class): array
    {
        return self::$fieldCache[$class] ??= $class::descriptor()['fields'];
    }

    /** @return array<string, int> */
    private static function keys(string $class): array
    {
        if (!isset(self::$keyCache[$class])) {
            $keys = [];
            foreach (self::fields($class) as $number => $f) {
                $keys[$f['json']] = $number;
                $keys[$f['proto']] = $number;
                $keys[$f['name']] = $number;
            }
            self::$keyCache[$class] = $keys;
        }

        return self::$keyCache[$class];
    }
}
