<?php

declare(strict_types=1);

namespace MailcowScim\Protobuf;

/**
 * Field types, numbered as google.protobuf.FieldDescriptorProto.Type (descriptor.proto), so a
 * generated descriptor reads like the .proto it came from.
 */
final class FieldType
{
    public const DOUBLE = 1;
    public const FLOAT = 2;
    public const INT64 = 3;
    public const UINT64 = 4;
    public const INT32 = 5;
    public const FIXED64 = 6;
    public const FIXED32 = 7;
    public const BOOL = 8;
    public const STRING = 9;
    public const MESSAGE = 11;
    public const BYTES = 12;
    public const UINT32 = 13;
    public const ENUM = 14;
    public const SFIXED32 = 15;
    public const SFIXED64 = 16;
    public const SINT32 = 17;
    public const SINT64 = 18;

    /** Wire types (protobuf encoding guide). */
    public const WIRE_VARINT = 0;
    public const WIRE_I64 = 1;
    public const WIRE_LEN = 2;
    public const WIRE_SGROUP = 3;
    public const WIRE_EGROUP = 4;
    public const WIRE_I32 = 5;

    /** The wire type a (non-packed) value of this field type uses. */
    public static function wireType(int $type): int
    {
        switch ($type) {
            case self::DOUBLE:
            case self::FIXED64:
            case self::SFIXED64:
                return self::WIRE_I64;
            case self::FLOAT:
            case self::FIXED32:
            case self::SFIXED32:
                return self::WIRE_I32;
            case self::STRING:
            case self::BYTES:
            case self::MESSAGE:
                return self::WIRE_LEN;
            default:
                return self::WIRE_VARINT;
        }
    }

    /** Whether repeated values of this type may be packed (all scalars but string and bytes). */
    public static function isPackable(int $type): bool
    {
        return self::wireType($type) !== self::WIRE_LEN;
    }
}
