<?php

declare(strict_types=1);

namespace MailcowScim\Grpc;

use MailcowScim\Protobuf\Message;

/** What the generated clients call: one request message in, one response message out. */
interface UnaryChannel
{
    /**
     * @param string $path "/package.Service/Method"
     * @param class-string<Message> $responseClass
     * @param int|null $deadlineMs null uses the channel's default deadline
     * @throws GrpcException for every failure: transport, deadline, status or a malformed answer
     */
    public function unary(string $path, Message $request, string $responseClass, ?int $deadlineMs = null): Message;
}
