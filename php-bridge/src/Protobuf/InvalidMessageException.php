<?php

declare(strict_types=1);

namespace MailcowScim\Protobuf;

/** A value that cannot be put into a message field (wrong type, out of range, invalid UTF-8, unknown key). */
final class InvalidMessageException extends \InvalidArgumentException
{
}
