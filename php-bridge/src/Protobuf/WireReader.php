<?php

declare(strict_types=1);

namespace MailcowScim\Protobuf;

/**
 * Reads protobuf wire-format values from a byte string. Every read is bounds-checked and
 * throws DecodeException on malformed input, so garbage from the socket can never be taken
 * for a message.
 */
final class WireReader
{
    private int $pos = 0;
    private readonly int $end;

    public function __construct(private readonly string $buffer)
    {
        $this->end = \strlen($buffer);
    }

    public function atEnd(): bool
    {
        return $this->pos >= $this->end;
    }

    /** @return array{0: int, 1: int} field number and wire type */
    public function tag(): array
    {
        $key = $this->varint();
        $number = ($key >> 3) & 0x1FFFFFFFFFFFFFFF;
        $wireType = $key & 7;
        if ($number < 1 || $number > 536870911) {
            throw new DecodeException("invalid field number $number");
        }
        if ($wireType > 5) {
            throw new DecodeException("invalid wire type $wireType");
        }

        return [$number, $wireType];
    }

    public function varint(): int
    {
        $result = 0;
        for ($shift = 0; $shift < 70; $shift += 7) {
            if ($this->pos >= $this->end) {
                throw new DecodeException('truncated varint');
            }
            $byte = \ord($this->buffer[$this->pos++]);
            if ($shift < 64) {
                $result |= ($byte & 0x7F) << $shift;
            }
            if (($byte & 0x80) === 0) {
                return $result;
            }
        }
        throw new DecodeException('varint longer than ten bytes');
    }

    public function take(int $length): string
    {
        if ($length < 0 || $length > $this->end - $this->pos) {
            throw new DecodeException("length $length runs past the end of the message");
        }
        $bytes = substr($this->buffer, $this->pos, $length);
        $this->pos += $length;

        return $bytes;
    }

    public function lengthDelimited(): string
    {
        return $this->take($this->varint());
    }

    /** Skips one value of an unknown field (groups included, for proto2 senders). */
    public function skip(int $wireType, int $number = 0, int $depth = 0): void
    {
        switch ($wireType) {
            case FieldType::WIRE_VARINT:
                $this->varint();
                break;
            case FieldType::WIRE_I64:
                $this->take(8);
                break;
            case FieldType::WIRE_LEN:
                $this->lengthDelimited();
                break;
            case FieldType::WIRE_I32:
                $this->take(4);
                break;
            case FieldType::WIRE_SGROUP:
                if ($depth > 64) {
                    throw new DecodeException('groups nested too deeply');
                }
                while (true) {
                    if ($this->atEnd()) {
                        throw new DecodeException('unterminated group');
                    }
                    [$n, $w] = $this->tag();
                    if ($w === FieldType::WIRE_EGROUP) {
                        if ($n !== $number) {
                            throw new DecodeException('mismatched end of group');
                        }

                        return;
                    }
                    $this->skip($w, $n, $depth + 1);
                }
                // no break: the loop returns or throws
            default:
                throw new DecodeException("unexpected wire type $wireType");
        }
    }

    /** One value of a scalar or enum type (after its tag). */
    public function scalar(int $type): mixed
    {
        switch ($type) {
            case FieldType::INT32:
            case FieldType::ENUM:
                return self::toInt32($this->varint());
            case FieldType::INT64:
            case FieldType::UINT64:
                return $this->varint();
            case FieldType::UINT32:
                return $this->varint() & 0xFFFFFFFF;
            case FieldType::SINT32:
                return self::toInt32(self::unzigzag($this->varint()));
            case FieldType::SINT64:
                return self::unzigzag($this->varint());
            case FieldType::BOOL:
                return $this->varint() !== 0;
            case FieldType::FIXED32:
                return unpack('V', $this->take(4))[1];
            case FieldType::SFIXED32:
                return self::toInt32(unpack('V', $this->take(4))[1]);
            case FieldType::FIXED64:
            case FieldType::SFIXED64:
                return unpack('P', $this->take(8))[1];
            case FieldType::FLOAT:
                return (float) unpack('g', $this->take(4))[1];
            case FieldType::DOUBLE:
                return (float) unpack('e', $this->take(8))[1];
            case FieldType::STRING:
                $s = $this->lengthDelimited();
                if (preg_match('//u', $s) !== 1) {
                    throw new DecodeException('string field is not valid UTF-8');
                }

                return $s;
            case FieldType::BYTES:
                return $this->lengthDelimited();
            default:
                throw new DecodeException("field type $type is not a scalar");
        }
    }

    private static function toInt32(int $v): int
    {
        $v &= 0xFFFFFFFF;

        return $v > 0x7FFFFFFF ? $v - 0x100000000 : $v;
    }

    private static function unzigzag(int $n): int
    {
        return (($n >> 1) & PHP_INT_MAX) ^ -($n & 1);
    }
}
