<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Admin;

use MailcowScim\Admin\InstallCheck;
use PHPUnit\Framework\TestCase;

/** The status panel's view of mailcow's files: each hook found, or named with what breaks. */
final class InstallCheckTest extends TestCase
{
    private string $root;

    protected function setUp(): void
    {
        $this->root = sys_get_temp_dir() . '/mcs-web-' . bin2hex(random_bytes(4));
        foreach (['inc', 'templates/edit'] as $d) {
            mkdir("$this->root/$d", 0777, true);
        }
    }

    protected function tearDown(): void
    {
        exec('rm -rf ' . escapeshellarg($this->root));
    }

    /** The lines the install patch writes (server/src/install/hunks.ts), in otherwise empty files. */
    private function writePatchedFiles(): void
    {
        $files = [
            'inc/vars.local.inc.php' => "<?php\n// mailcow-scim:begin bridge\nif (file_exists('/web/inc/mailcow-scim/mailcow-scim.inc.php')) {\n  require_once '/web/inc/mailcow-scim/mailcow-scim.inc.php';\n}\n",
            'inc/functions.auth.inc.php' => "    case 'scim':\n      return function_exists('mailcow_scim_user_login') ? mailcow_scim_user_login(\$user, \$pass, \$extra, \$row) : false;\n    if (\$mapper_key !== false && empty(\$extra['mailcow_scim_skip_template'])) {\n",
            'inc/functions.inc.php' => "        if (!in_array(\$row['authsource'], array(\"keycloak\", \"generic-oidc\", \"scim\"))) {\n          AND `authsource` != 'scim'\n",
            'inc/init_db.inc.php' => "        \"authsource\" => \"ENUM('mailcow', 'keycloak', 'generic-oidc', 'ldap', 'scim') DEFAULT 'mailcow'\",\n",
            'inc/functions.mailbox.inc.php' => "              if (in_array(\$authsource, array('keycloak', 'generic-oidc', 'ldap', 'scim'))){\n",
            'templates/edit/mailbox.twig' => "<option value=\"scim\" selected>SCIM</option>\n",
            'templates/admin.twig' => "<div id=\"mailcow-scim-admin\" data-endpoint=\"/inc/mailcow-scim/admin-api.php\"></div>\n",
        ];
        foreach ($files as $f => $text) {
            file_put_contents("$this->root/$f", $text);
        }
    }

    public function testAllHooksFound(): void
    {
        $this->writePatchedFiles();
        $results = (new InstallCheck($this->root))->run();
        $this->assertSame(array_column(InstallCheck::CHECKS, 0), array_column($results, 'id'));
        foreach ($results as $r) {
            $this->assertTrue($r['ok'], $r['id'] . ': ' . $r['detail']);
        }
    }

    public function testLostHunksAreNamedWithTheirConsequence(): void
    {
        $this->writePatchedFiles();
        // mailcow's update.sh took upstream's version of functions.auth.inc.php (mailcow-integration.md §5.6).
        file_put_contents("$this->root/inc/functions.auth.inc.php", "<?php\nfunction user_login(\$user, \$pass, \$extra = null){}\n");
        unlink("$this->root/templates/admin.twig");
        $byId = array_column((new InstallCheck($this->root))->run(), null, 'id');
        $this->assertFalse($byId['user-login']['ok']);
        $this->assertStringContainsString('SCIM users cannot log in with a password', $byId['user-login']['detail']);
        $this->assertFalse($byId['admin-tab']['ok']);
        $this->assertStringContainsString('missing', $byId['admin-tab']['detail']);
        $this->assertTrue($byId['init-db-enum']['ok']);
    }
}
