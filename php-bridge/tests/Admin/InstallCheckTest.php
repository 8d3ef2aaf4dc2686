<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Admin;

use MailcowScim\Admin\InstallCheck;
use MailcowScim\InstallState;
use PHPUnit\Framework\TestCase;

/**
 * The status panel's view of mailcow's files: every hunk of the install record looked for in
 * the file as it is now, a lost one and a left-out one named with what they disable.
 */
final class InstallCheckTest extends TestCase
{
    private string $root;

    private const LOGIN_BLOCK = [
        '  // mailcow-scim:begin user-login-scim-case',
        "    case 'scim':",
        "      return function_exists('mailcow_scim_user_login') ? mailcow_scim_user_login(\$user, \$pass, \$extra, \$row) : false;",
        '  // mailcow-scim:end user-login-scim-case',
    ];
    private const SSO_BLOCK = [
        '        // mailcow-scim:begin verify-sso-accept-scim',
        '        // mailcow-scim:was         if (!in_array($row[\'authsource\'], array("keycloak", "generic-oidc"))) {',
        '        if (!in_array($row[\'authsource\'], array("keycloak", "generic-oidc", "scim"))) {',
        '        // mailcow-scim:end verify-sso-accept-scim',
    ];

    protected function setUp(): void
    {
        $this->root = sys_get_temp_dir() . '/mcs-web-' . bin2hex(random_bytes(4));
        mkdir("$this->root/inc", 0777, true);
        file_put_contents("$this->root/inc/vars.local.inc.php", "<?php\n// mailcow-scim:begin bridge\nrequire_once '/web/inc/mailcow-scim/mailcow-scim.inc.php';\n// mailcow-scim:end bridge\n");
        file_put_contents("$this->root/inc/functions.auth.inc.php", "<?php\nfunction user_login(\$user, \$pass, \$extra = null){\n  switch (\$row['authsource']) {\n" . implode("\n", self::LOGIN_BLOCK) . "\n  }\n}\n");
        // functions.inc.php uses CRLF in mailcow.
        file_put_contents("$this->root/inc/functions.inc.php", implode("\r\n", ['<?php', ...self::SSO_BLOCK, '']));
    }

    protected function tearDown(): void
    {
        exec('rm -rf ' . escapeshellarg($this->root));
    }

    /** @param list<array<string, mixed>> $hunks */
    private function state(array $hunks): InstallState
    {
        return new InstallState(['version' => '1.2.3', 'hunks' => $hunks]);
    }

    /** @return array<string, mixed> */
    private function hunk(string $id, string $file, string $state, array $block = [], string $impact = 'it breaks'): array
    {
        return ['id' => $id, 'file' => $file, 'hookPoint' => 2, 'state' => $state, 'purpose' => "$id works", 'impact' => $impact, 'block' => $block, 'reason' => $state === 'drifted' ? 'anchor not found' : ''];
    }

    /** @return array<string, array<string, mixed>> */
    private function check(InstallState $state): array
    {
        return array_column((new InstallCheck($this->root, $state))->run(), null, 'id');
    }

    public function testEveryInstalledBlockIsFoundInMailcowsFiles(): void
    {
        $byId = $this->check($this->state([
            $this->hunk('user-login-scim-case', 'inc/functions.auth.inc.php', 'installed', self::LOGIN_BLOCK),
            $this->hunk('verify-sso-accept-scim', 'inc/functions.inc.php', 'installed', self::SSO_BLOCK),
            $this->hunk('init-db-authsource-enum', 'inc/init_db.inc.php', 'satisfied'),
        ]));
        $this->assertSame(['bridge-loaded', 'user-login-scim-case', 'verify-sso-accept-scim', 'init-db-authsource-enum'], array_keys($byId));
        foreach ($byId as $id => $r) {
            $this->assertTrue($r['ok'], "$id: {$r['detail']}");
            $this->assertSame('ok', $r['state']);
        }
        $this->assertStringContainsString("mailcow's own code does this", $byId['init-db-authsource-enum']['detail']);
    }

    public function testALostAndALeftOutHunkAreNamedWithWhatTheyDisable(): void
    {
        // mailcow's update.sh took upstream's version of functions.auth.inc.php (upstream wins).
        file_put_contents("$this->root/inc/functions.auth.inc.php", "<?php\nfunction user_login(\$user, \$pass, \$extra = null){\n  switch (\$row['authsource']) {\n  }\n}\n");
        $byId = $this->check($this->state([
            $this->hunk('user-login-scim-case', 'inc/functions.auth.inc.php', 'installed', self::LOGIN_BLOCK, 'SCIM users cannot log in with a password.'),
            $this->hunk('verify-sso-accept-scim', 'inc/functions.inc.php', 'drifted', [], 'SCIM users cannot log in with SSO.'),
            $this->hunk('admin-scim-tab-pane', 'templates/admin.twig', 'installed', ['{# mailcow-scim:begin admin-scim-tab-pane #}']),
        ]));
        $this->assertSame(['missing', 'left-out', 'missing'], [$byId['user-login-scim-case']['state'], $byId['verify-sso-accept-scim']['state'], $byId['admin-scim-tab-pane']['state']]);
        $this->assertFalse($byId['user-login-scim-case']['ok']);
        $this->assertStringContainsString('a mailcow update may have dropped it', $byId['user-login-scim-case']['detail']);
        $this->assertStringContainsString('SCIM users cannot log in with a password.', $byId['user-login-scim-case']['detail']);
        $this->assertStringContainsString('Left out by install', $byId['verify-sso-accept-scim']['detail']);
        $this->assertStringContainsString('SCIM users cannot log in with SSO.', $byId['verify-sso-accept-scim']['detail']);
        $this->assertStringContainsString('templates/admin.twig is missing', $byId['admin-scim-tab-pane']['detail']);
    }

    public function testABlockWithAChangedLineIsNotInPlace(): void
    {
        $block = self::LOGIN_BLOCK;
        $block[2] = '      return false;';
        $byId = $this->check($this->state([$this->hunk('user-login-scim-case', 'inc/functions.auth.inc.php', 'installed', $block)]));
        $this->assertFalse($byId['user-login-scim-case']['ok']);
    }

    public function testWithoutAnInstallRecordItSaysSo(): void
    {
        unlink("$this->root/inc/vars.local.inc.php");
        $byId = $this->check(new InstallState(null));
        $this->assertSame(['bridge-loaded', 'install-record'], array_keys($byId));
        $this->assertFalse($byId['bridge-loaded']['ok']);
        $this->assertSame('unknown', $byId['install-record']['state']);
        $this->assertStringContainsString('run mailcow-scim install', $byId['install-record']['detail']);
    }

    public function testReadsTheRecordInstallWrites(): void
    {
        $dir = "$this->root/bridge";
        mkdir($dir);
        file_put_contents("$dir/install-state.php", "<?php\nreturn ['version' => '4.5.6', 'hunks' => [['id' => 'x', 'file' => 'inc/x.php', 'state' => 'installed', 'block' => ['a']]]];\n");
        $state = InstallState::load($dir);
        $this->assertSame('4.5.6', $state->version());
        $this->assertSame('x', $state->hunks()[0]['id']);
        $this->assertSame('', InstallState::load("$this->root/none")->version());
    }
}
