<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Protobuf;

use MailcowScim\Gen\Mailcow\Scim\V1\DeactivateMode;
use MailcowScim\Gen\Mailcow\Scim\V1\GetStatusResponse;
use MailcowScim\Gen\Mailcow\Scim\V1\LoginRoute;
use MailcowScim\Gen\Mailcow\Scim\V1\TemplateRule;
use MailcowScim\Gen\Mailcow\Scim\V1\TokenPolicy;
use MailcowScim\Gen\Mailcow\Scim\V1\UpdateTokenRequest;
use MailcowScim\Protobuf\DecodeException;
use MailcowScim\Protobuf\InvalidMessageException;
use MailcowScim\Protobuf\WireWriter;
use PHPUnit\Framework\TestCase;

/** The message API the bridge and the admin page use (wire details: php-protobuf.test.ts). */
final class MessageTest extends TestCase
{
    public function testEncodesProto3ScalarsAsTheSpecSays(): void
    {
        // uptime_seconds (field 4, varint) = 150 -> tag 0x20, then 96 01 (protobuf.dev "Encoding")
        $this->assertSame('209601', bin2hex((new GetStatusResponse(['uptimeSeconds' => 150]))->toBinary()));
        // defaults are not written (implicit presence)
        $this->assertSame('', (new GetStatusResponse())->toBinary());
        // a negative int32 is sign-extended to ten bytes
        $w = new WireWriter();
        $w->varint(-1);
        $this->assertSame('ffffffffffffffffff01', bin2hex($w->bytes()));
    }

    public function testBuildsFromArraysByJsonProtoOrPropertyNames(): void
    {
        $policy = new TokenPolicy([
            'domains' => ['example.org'],
            'default_domain' => 'example.org',
            'templateRules' => [['filter' => 'title eq "x"', 'template' => 'Staff']],
            'onDeactivate' => 'DEACTIVATE_MODE_INACTIVE',
            'aliasSync' => true,
        ]);
        $this->assertSame('example.org', $policy->defaultDomain);
        $this->assertInstanceOf(TemplateRule::class, $policy->templateRules[0]);
        $this->assertSame(DeactivateMode::DEACTIVATE_MODE_INACTIVE, $policy->onDeactivate);
        $back = TokenPolicy::fromBinary($policy->toBinary());
        $this->assertEquals($policy, $back);
        $this->assertSame('DEACTIVATE_MODE_INACTIVE', $back->toArray()['onDeactivate']);
        $this->assertSame(['filter' => 'title eq "x"', 'template' => 'Staff'], $back->toArray()['templateRules'][0]);
    }

    /** @return iterable<string, array{0: array<string, mixed>, 1: string}> */
    public static function badArrays(): iterable
    {
        yield 'unknown field' => [['domain' => ['x']], 'has no field "domain"'];
        yield 'string for a list' => [['domains' => 'example.org'], 'must be a list'];
        yield 'number for a string' => [['defaultDomain' => 5], 'not a valid string'];
        yield 'string for a bool' => [['aliasSync' => 'yes'], 'not a valid boolean'];
        yield 'unknown enum name' => [['onDelete' => 'DELETE_MODE_SHRED'], 'is not a value of'];
        yield 'list for a message' => [['templateRules' => [['a', 'b']]], 'must be an object'];
        yield 'invalid UTF-8' => [['domains' => ["\xC3\x28"]], 'not valid UTF-8'];
    }

    /**
     * @dataProvider badArrays
     * @param array<string, mixed> $values
     */
    public function testRefusesWhatTheFieldCannotHold(array $values, string $message): void
    {
        $this->expectException(InvalidMessageException::class);
        $this->expectExceptionMessage($message);
        TokenPolicy::fromArray($values);
    }

    public function testKeepsProto3OptionalPresence(): void
    {
        $unset = new UpdateTokenRequest(['id' => 't']);
        $this->assertNull(UpdateTokenRequest::fromBinary($unset->toBinary())->active);
        $off = new UpdateTokenRequest(['id' => 't', 'active' => false]);
        $this->assertFalse(UpdateTokenRequest::fromBinary($off->toBinary())->active);
        $this->assertNotSame($unset->toBinary(), $off->toBinary());
    }

    public function testChecksListElementsAndRangesWhenEncoding(): void
    {
        $policy = new TokenPolicy();
        $policy->domains = ['ok', 42];
        $this->expectException(InvalidMessageException::class);
        $policy->toBinary();
    }

    public function testRefusesOutOfRangeInt32(): void
    {
        $this->expectException(InvalidMessageException::class);
        (new TokenPolicy(['onDelete' => 2 ** 31]))->toBinary();
    }

    public function testEnumsAreOpen(): void
    {
        $this->assertSame('LOGIN_ROUTE_SSO', LoginRoute::name(4));
        $this->assertNull(LoginRoute::name(99));
        $this->assertSame(5, LoginRoute::value('LOGIN_ROUTE_DENY'));
        // an unknown number from a newer sidecar decodes and shows as a number
        $policy = TokenPolicy::fromBinary("\x28\x63");
        $this->assertSame(99, $policy->onDeactivate);
        $this->assertSame(99, $policy->toArray()['onDeactivate']);
    }

    public function testDecodeErrorsAreTyped(): void
    {
        $this->expectException(DecodeException::class);
        TokenPolicy::fromBinary("\x0a\x05ab");
    }
}
