<?php

declare(strict_types=1);

namespace MailcowScim\Protobuf;

/** Bytes that are not a valid encoding of the expected message. */
final class DecodeException extends \RuntimeException
{
}
