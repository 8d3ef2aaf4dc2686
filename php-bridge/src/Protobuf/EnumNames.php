<?php

declare(strict_types=1);

namespace MailcowScim\Protobuf;

/**
 * Name <-> number lookups for a generated enum class (which declares `private const NAMES`).
 * Protobuf enums are open: a number the class does not list is still a valid value.
 */
trait EnumNames
{
    /** The value's name, or null for a number this version of the enum does not list. */
    public static function name(int $value): ?string
    {
        return self::NAMES[$value] ?? null;
    }

    /** The number of a value name, or null when there is no such name. */
    public static function value(string $name): ?int
    {
        $found = array_search($name, self::NAMES, true);

        return $found === false ? null : $found;
    }
}
