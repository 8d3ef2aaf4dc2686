<?php

declare(strict_types=1);

namespace MailcowScim\Admin;

/**
 * The admin page's strings in the admin's language. mailcow keeps the admin's language in
 * `$_SESSION['mailcow_locale']` (`de-de`, or a two-letter code from its `mailcow_locale`
 * cookie) and names its own files by it, `lang.<locale>.json`, merged over English
 * (mailcow-facts.md §4.3). This page does the same with its own files in lang/: one JSON object
 * of flat keys per language, en-gb complete, the others merged over it, so a string a
 * translation lacks is shown in English.
 */
final class Translations
{
    public const FALLBACK = 'en-gb';

    /** @param array<string, string> $strings */
    private function __construct(public readonly string $locale, private readonly array $strings)
    {
    }

    /** The strings for a mailcow locale ('de-de', 'de', 'pt-br', null for English). */
    public static function forLocale(?string $locale): self
    {
        $english = self::read(self::FALLBACK);
        $file = self::resolve($locale);

        return new self($file, $file === self::FALLBACK ? $english : array_merge($english, array_intersect_key(self::read($file), $english)));
    }

    /**
     * The language file for a locale: the same name, else one of the same language (pt-br →
     * pt-pt), else English.
     */
    public static function resolve(?string $locale): string
    {
        $locale = strtolower(trim((string) $locale));
        if (!preg_match('/^[a-z]{2}(-[a-z]{2})?$/', $locale)) {
            return self::FALLBACK;
        }
        $available = self::available();
        if (\in_array($locale, $available, true)) {
            return $locale;
        }
        foreach ($available as $code) {
            if (substr($code, 0, 2) === substr($locale, 0, 2)) {
                return $code;
            }
        }

        return self::FALLBACK;
    }

    /** @return list<string> the languages there is a file for, English first */
    public static function available(): array
    {
        $out = [];
        foreach (glob(self::dir() . '/*.json') ?: [] as $path) {
            $out[] = basename($path, '.json');
        }
        sort($out);
        usort($out, static fn (string $a, string $b): int => ($b === self::FALLBACK) <=> ($a === self::FALLBACK));

        return $out;
    }

    /** @return array<string, string> a language file's strings as written (no fallback) */
    public static function read(string $code): array
    {
        $path = self::dir() . '/' . $code . '.json';
        if (!preg_match('/^[a-z]{2}-[a-z]{2}$/', $code) || !is_file($path)) {
            return [];
        }
        $data = json_decode((string) file_get_contents($path), true);
        if (!\is_array($data)) {
            return [];
        }

        return array_filter($data, static fn (mixed $v, mixed $k): bool => \is_string($k) && \is_string($v), ARRAY_FILTER_USE_BOTH);
    }

    public function get(string $key): string
    {
        return $this->strings[$key] ?? $key;
    }

    /** @return array<string, string> */
    public function all(): array
    {
        return $this->strings;
    }

    /**
     * The panel's markup with every `{{key}}` replaced by its string (HTML-escaped), and the
     * strings as JSON for the script (`#scim-lang`), so markup and script speak one language.
     */
    public function renderPanel(string $html): string
    {
        $out = (string) preg_replace_callback('/\{\{([a-z_]+\.[a-z_]+)\}\}/', fn (array $m): string => htmlspecialchars($this->get($m[1]), ENT_QUOTES), $html);
        $json = json_encode(['_locale' => $this->locale] + $this->strings, JSON_UNESCAPED_UNICODE | JSON_HEX_TAG | JSON_HEX_AMP | JSON_THROW_ON_ERROR);

        return $out . "\n<script type=\"application/json\" id=\"scim-lang\">" . $json . "</script>\n";
    }

    private static function dir(): string
    {
        return __DIR__ . '/lang';
    }
}
