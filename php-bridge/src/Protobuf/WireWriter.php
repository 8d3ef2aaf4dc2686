<?php

declare(strict_types=1);

namespace MailcowScim\Protobuf;

/**
 * Appends protobuf wire-format values to a byte string (protobuf.dev "Encoding"). PHP ints are
 * 64-bit two's complement, which is exactly what varints of int64/uint64 carry.
 */
final class WireWriter
{
    private string $buffer = '';

    public function bytes(): string
    {
        return $this->buffer;
    }

    public function tag(int $number, int $wireType): void
    {
        $this->varint(($number << 3) | $wireType);
    }

    /** Unsigned LEB128 of the 64-bit pattern; negative numbers take ten bytes. */
    public function varint(int $value): void
    {
        while (true) {
            $low = $value & 0x7F;
            // A logical shift: drop the seven bits and clear what an arithmetic shift copied in.
            $value = ($value >> 7) & 0x01FFFFFFFFFFFFFF;
            if ($value === 0) {
                $this->buffer .= \chr($low);

                return;
            }
            $this->buffer .= \chr($low | 0x80);
        }
    }

    public function lengthDelimited(string $bytes): void
    {
        $this->varint(\strlen($bytes));
        $this->buffer .= $bytes;
    }

    /** One value of a scalar or enum type, without its tag. */
    public function scalar(int $type, mixed $value): void
    {
        switch ($type) {
            case FieldType::INT32:
            case FieldType::INT64:
            case FieldType::UINT32:
            case FieldType::UINT64:
            case FieldType::ENUM:
                $this->varint($value);
                break;
            case FieldType::SINT32:
            case FieldType::SINT64:
                $this->varint(($value << 1) ^ ($value >> 63));
                break;
            case FieldType::BOOL:
                $this->varint($value ? 1 : 0);
                break;
            case FieldType::FIXED32:
            case FieldType::SFIXED32:
                $this->buffer .= pack('V', $value & 0xFFFFFFFF);
                break;
            case FieldType::FIXED64:
            case FieldType::SFIXED64:
                $this->buffer .= pack('P', $value);
                break;
            case FieldType::FLOAT:
                $this->buffer .= pack('g', $value);
                break;
            case FieldType::DOUBLE:
                $this->buffer .= pack('e', $value);
                break;
            case FieldType::STRING:
            case FieldType::BYTES:
                $this->lengthDelimited($value);
                break;
            default:
                throw new InvalidMessageException("field type $type is not a scalar");
        }
    }
}
