<?php

declare(strict_types=1);

namespace MailcowScim;

use MailcowScim\Gen\Grpc\Health\V1\HealthClient;
use MailcowScim\Gen\Mailcow\Scim\V1\AdminServiceClient;
use MailcowScim\Gen\Mailcow\Scim\V1\LoginServiceClient;
use MailcowScim\Gen\Mailcow\Scim\V1\StatusServiceClient;
use MailcowScim\Gen\Mailcow\Scim\V1\TokenServiceClient;
use MailcowScim\Grpc\CurlChannel;
use MailcowScim\Grpc\UnaryChannel;

/** The sidecar's services over one channel, created lazily (nothing connects until a call). */
final class Bridge
{
    private ?UnaryChannel $channel;

    public function __construct(public readonly Config $config, ?UnaryChannel $channel = null, private readonly ?InstallState $installState = null)
    {
        $this->channel = $channel;
    }

    public function channel(): UnaryChannel
    {
        return $this->channel ??= new CurlChannel(
            $this->config->rpcSocket,
            $this->config->adminDeadlineMs,
            reuseConnections: $this->config->reuseConnections,
            bridgeVersion: $this->version(),
        );
    }

    /** The mailcow-scim version this copy of the bridge came from ('' without an install record). */
    public function version(): string
    {
        return ($this->installState ?? InstallState::load())->version();
    }

    public function login(): LoginServiceClient
    {
        return new LoginServiceClient($this->channel());
    }

    public function tokens(): TokenServiceClient
    {
        return new TokenServiceClient($this->channel());
    }

    public function status(): StatusServiceClient
    {
        return new StatusServiceClient($this->channel());
    }

    public function admin(): AdminServiceClient
    {
        return new AdminServiceClient($this->channel());
    }

    public function health(): HealthClient
    {
        return new HealthClient($this->channel());
    }
}
