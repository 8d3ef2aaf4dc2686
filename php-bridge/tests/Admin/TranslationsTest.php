<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Admin;

use MailcowScim\Admin\Translations;
use PHPUnit\Framework\TestCase;

/** The admin page's languages: complete English, no stray keys elsewhere, mailcow's locale names. */
final class TranslationsTest extends TestCase
{
    private const ASSETS = __DIR__ . '/../../src/Admin/assets';

    /** The languages the page ships besides English (mailcow's names for them). */
    private const LANGUAGES = ['de-de', 'es-es', 'fr-fr', 'it-it', 'nl-nl', 'pl-pl', 'pt-pt'];

    public function testEveryLanguageTheIssueAsksForIsThere(): void
    {
        $this->assertSame(array_merge(['en-gb'], self::LANGUAGES), Translations::available());
    }

    /** @return iterable<string, array{0: string}> */
    public static function languages(): iterable
    {
        foreach (self::LANGUAGES as $code) {
            yield $code => [$code];
        }
    }

    /** @dataProvider languages */
    public function testATranslationHasNoKeyEnglishLacks(string $code): void
    {
        $english = Translations::read('en-gb');
        $strings = Translations::read($code);
        $this->assertNotSame([], $strings, "$code.json is valid JSON of strings");
        $this->assertSame([], array_keys(array_diff_key($strings, $english)), "keys of $code.json that en-gb.json does not have");
        foreach ($strings as $key => $value) {
            // A placeholder the translation invents would be shown as it is.
            preg_match_all('/\{[a-z_]+\}/', $value, $own);
            preg_match_all('/\{[a-z_]+\}/', $english[$key], $theirs);
            $this->assertSame([], array_values(array_diff($own[0], $theirs[0])), "$code $key uses a placeholder English does not fill");
        }
    }

    public function testEveryKeyThePageUsesIsInEnglish(): void
    {
        $english = Translations::read('en-gb');
        preg_match_all('/\{\{([a-z_]+\.[a-z_]+)\}\}/', (string) file_get_contents(self::ASSETS . '/panel.html'), $html);
        // In the script: every quoted section.key literal but the API's action names (api('tokens.list')),
        // and the keys it builds from a prefix.
        preg_match_all("/(?<!api\()'((?:common|status|tokens|groups|adopt|events|form|secret|confirm)\.[a-z_]+)'/", (string) file_get_contents(self::ASSETS . '/admin.js'), $js);
        $built = [];
        foreach (['sidecar', 'version', 'database', 'authsource', 'schema', 'idp', 'login', 'mailboxes', 'bridge'] as $row) {
            $built[] = "status.row_$row";
        }
        foreach (['adopt', 'skip', 'refuse', 'unspecified'] as $a) {
            $built[] = "adopt.action_$a";
        }
        foreach (['adopted', 'unchanged', 'skipped', 'refused', 'failed', 'unspecified'] as $o) {
            $built[] = "adopt.outcome_$o";
        }
        $used = array_unique(array_merge($html[1], array_filter($js[1], static fn (string $k): bool => !str_ends_with($k, '_')), $built));
        $this->assertGreaterThan(150, \count($used));
        $this->assertSame([], array_values(array_diff($used, array_keys($english))), 'keys the page uses that en-gb.json lacks');
    }

    public function testPicksTheFileByMailcowsLocaleElseTheLanguageElseEnglish(): void
    {
        $this->assertSame('de-de', Translations::resolve('de-de'));
        $this->assertSame('de-de', Translations::resolve('DE-DE'));
        // mailcow's mailcow_locale cookie may carry a two-letter code.
        $this->assertSame('de-de', Translations::resolve('de'));
        $this->assertSame('pt-pt', Translations::resolve('pt-br'));
        $this->assertSame('en-gb', Translations::resolve('ja-jp'));
        $this->assertSame('en-gb', Translations::resolve(null));
        $this->assertSame('en-gb', Translations::resolve('../../etc/passwd'));
        $this->assertSame('en-gb', Translations::resolve('en-gb'));
    }

    public function testAStringATranslationLacksIsEnglish(): void
    {
        $de = Translations::forLocale('de-de');
        $this->assertSame('Token erstellen', $de->get('tokens.create'));
        $this->assertArrayNotHasKey('adopt.outcome_unspecified', Translations::read('de-de'));
        $this->assertSame(Translations::read('en-gb')['adopt.outcome_unspecified'], $de->get('adopt.outcome_unspecified'));
        $this->assertSame(array_keys(Translations::read('en-gb')), array_keys($de->all()));
    }

    public function testThePanelComesInTheLanguageWithItsStringsForTheScript(): void
    {
        $html = Translations::forLocale('fr-fr')->renderPanel('<b title="{{common.refresh}}">{{tokens.create}}</b><i>{{nope.nope}}</i>');
        $this->assertStringStartsWith('<b title="Actualiser">Créer un jeton</b><i>nope.nope</i>', $html);
        preg_match('#<script type="application/json" id="scim-lang">(.*)</script>#', $html, $m);
        $strings = json_decode($m[1], true);
        $this->assertSame('fr-fr', $strings['_locale']);
        $this->assertSame('Révoquer', $strings['tokens.revoke']);
        // A string cannot end the script element early.
        $evil = Translations::forLocale('en-gb')->renderPanel('');
        $this->assertStringNotContainsString('</', substr($evil, 0, (int) strrpos($evil, '</script>')));
    }
}
