/**
 * The minimal patch of mailcow's tracked files, at the hook points of docs/mailcow-facts.md §7
 * (written against mailcow HEAD 06424670, db_schema 19022026_1220; it applies unchanged to every
 * release from 2025-03 to 2026-07a, tests/fixtures/mailcow-releases/). Each hunk anchors on
 * mailcow's own lines, verbatim; when they are not found exactly once in the expected place,
 * install leaves that hunk out rather than guess. The rest of the integration (nginx, hook,
 * bridge, compose) needs no patch.
 *
 * Contract with the PHP bridge (php-bridge/): mailcow's `user_login()` calls
 * `mailcow_scim_user_login($user, $pass, $extra, $row)` for 'scim' mailboxes (false when the
 * bridge is not loaded), and the bridge may pass `'mailcow_scim_skip_template' => true` in
 * `$extra` to mailcow's `ldap_mbox_login()` / `keycloak_mbox_login_rest()` to run their
 * credential check without the mailbox-template re-apply (§3.4, §3.10). The admin page (hook
 * point 10) is a tab whose `#mailcow-scim-admin` element the bridge's admin.js fills, talking to
 * `/inc/mailcow-scim/admin-api.php`.
 */
import type { Hunk, PatchedFile } from './hunk.js';

const BRIDGE_LOGIN_FUNCTION = 'mailcow_scim_user_login';
const SKIP_TEMPLATE_FLAG = 'mailcow_scim_skip_template';
/** The bridge's admin endpoint (php-bridge/src/admin-api.php as copied into data/web/inc/mailcow-scim/). */
const BRIDGE_ADMIN_ENDPOINT = '/inc/mailcow-scim/admin-api.php';

/**
 * init_db.inc.php's schema versions of the mailcow releases the patch is proven against
 * (2025-03 … 2026-07a, tests/fixtures/mailcow-releases/; a test keeps this list equal to it).
 */
export const KNOWN_MAILCOW_DB_VERSIONS: readonly string[] = ['27012025_1555', '19082025_1436', '07102025_1015', '10312025_0525', '28012026_1000', '19022026_1220'];

const FUNCTION_END = /^function /;
const CASE_END = /^ {4}case /;

export const PATCHED_FILES: readonly PatchedFile[] = [
  {
    file: 'data/web/inc/init_db.inc.php',
    style: 'php',
    signatures: [/^function init_db_schema\(\)/, /^\s*\$db_version = "[^"]+";/, /^\s*"mailbox" => array\($/],
    description: "mailcow's schema migration (init_db.inc.php)",
  },
  {
    file: 'data/web/inc/functions.auth.inc.php',
    style: 'php',
    signatures: [/^function user_login\(\$user, \$pass, \$extra = null\)\{/, /^function keycloak_mbox_login_rest\(/, /^function ldap_mbox_login\(/],
    description: "mailcow's login functions (functions.auth.inc.php)",
  },
  {
    file: 'data/web/inc/functions.inc.php',
    style: 'php',
    signatures: [/^function identity_provider\(\$_action = null, \$_data = null, \$_extra = null\) \{/],
    description: "mailcow's identity provider functions (functions.inc.php)",
  },
  {
    file: 'data/web/inc/functions.mailbox.inc.php',
    style: 'php',
    signatures: [/^function mailbox\(\$_action, \$_type, \$_data = null, \$_extra = null\) \{/],
    description: "mailcow's mailbox functions (functions.mailbox.inc.php)",
  },
  {
    file: 'data/web/templates/admin.twig',
    style: 'twig',
    signatures: [/<div id="admin-content" class="responsive-tabs">/, /\{% include 'admin\/tab-config-identity-provider\.twig' %\}/],
    description: "mailcow's admin page (templates/admin.twig)",
  },
  {
    file: 'data/web/templates/edit/mailbox.twig',
    style: 'twig',
    signatures: [/name="authsource" class="full-width-select form-control" required>/],
    description: "mailcow's edit-mailbox page (templates/edit/mailbox.twig)",
  },
];

const AUTHSOURCE_ENUM = /^(\s*"authsource" => "ENUM\()(.*)(\) DEFAULT 'mailcow'",)$/;

const identityProviderCase = (label: string, start: string) => [
  { start: /^function identity_provider\(/, end: FUNCTION_END, label: 'identity_provider()' },
  { start, end: CASE_END, label: `identity_provider() ${label}` },
];

export const HUNKS: readonly Hunk[] = [
  {
    id: 'init-db-authsource-enum',
    file: 'data/web/inc/init_db.inc.php',
    hookPoint: 1,
    purpose: "'scim' in the authsource ENUM literal, so a mailcow schema update keeps the value",
    impact: "mailcow's next schema update removes 'scim' from mailbox.authsource again; the php-fpm ENUM guard hook parks and restores SCIM mailboxes around it, so SCIM users cannot log in for those seconds. Provisioning and mail are not affected.",
    scopes: [{ start: /^\s*"mailbox" => array\($/, end: /^\s*"attr" => /, label: 'the mailbox table definition' }],
    target: [AUTHSOURCE_ENUM],
    mode: 'replace',
    // mailcow's own values and order stay; 'scim' goes last, as the sidecar and the hook add it.
    lines: ([line]) => [line!.replace(/\r$/, '').replace(AUTHSOURCE_ENUM, "$1$2, 'scim'$3")],
    isSatisfied: ([line]) => /'scim'/.test(line!),
  },
  {
    id: 'user-login-scim-case',
    file: 'data/web/inc/functions.auth.inc.php',
    hookPoint: 2,
    purpose: "user_login() hands 'scim' mailboxes to the PHP bridge",
    impact: 'SCIM users cannot log in with a password (webmail, IMAP, SMTP): mailcow refuses their authsource. SSO and app passwords still work, mail still flows.',
    scopes: [{ start: /^function user_login\(/, end: FUNCTION_END, label: 'user_login()' }],
    target: ["  switch ($row['authsource']) {"],
    mode: 'insert-after',
    lines: () => [
      "    case 'scim':",
      '      // SCIM-managed mailbox: the mailcow-scim bridge routes the login (false without the bridge)',
      `      return function_exists('${BRIDGE_LOGIN_FUNCTION}') ? ${BRIDGE_LOGIN_FUNCTION}($user, $pass, $extra, $row) : false;`,
    ],
  },
  {
    id: 'keycloak-login-skip-template',
    file: 'data/web/inc/functions.auth.inc.php',
    hookPoint: 4,
    purpose: 'keycloak_mbox_login_rest() can check a password without re-applying the mailbox template',
    impact: 'Nothing users notice: the PHP bridge keeps Keycloak password logins of SCIM users from re-applying mailbox templates by itself (it empties the template mappers during the check).',
    scopes: [{ start: /^function keycloak_mbox_login_rest\(/, end: FUNCTION_END, label: 'keycloak_mbox_login_rest()' }],
    before: ['  if (!$create) {', '    // login success'],
    target: ['    if ($mapper_key !== false) {'],
    mode: 'replace',
    lines: () => [`    if ($mapper_key !== false && empty($extra['${SKIP_TEMPLATE_FLAG}'])) {`],
  },
  {
    id: 'ldap-login-skip-template',
    file: 'data/web/inc/functions.auth.inc.php',
    hookPoint: 4,
    purpose: 'ldap_mbox_login() can check a password without re-applying the mailbox template',
    impact: 'Nothing users notice: the PHP bridge keeps LDAP password logins of SCIM users from re-applying mailbox templates by itself (it empties the template mappers during the check).',
    scopes: [{ start: /^function ldap_mbox_login\(/, end: FUNCTION_END, label: 'ldap_mbox_login()' }],
    before: ['  if (!$create) {', '    // login success'],
    target: ['    if ($mapper_key !== false) {'],
    mode: 'replace',
    lines: () => [`    if ($mapper_key !== false && empty($extra['${SKIP_TEMPLATE_FLAG}'])) {`],
  },
  {
    id: 'verify-sso-accept-scim',
    file: 'data/web/inc/functions.inc.php',
    hookPoint: 5,
    purpose: "OIDC verify-sso accepts 'scim' mailboxes",
    impact: 'SCIM users cannot log in with SSO (mailcow answers that the mailbox is not of type OIDC). Password logins through the bridge and mail still work.',
    scopes: identityProviderCase('verify-sso', '    case "verify-sso":'),
    target: ['        if (!in_array($row[\'authsource\'], array("keycloak", "generic-oidc"))) {'],
    mode: 'replace',
    lines: () => ['        if (!in_array($row[\'authsource\'], array("keycloak", "generic-oidc", "scim"))) {'],
  },
  {
    id: 'verify-sso-skip-template',
    file: 'data/web/inc/functions.inc.php',
    hookPoint: 5,
    purpose: "OIDC verify-sso does not re-apply the mailbox template to 'scim' mailboxes",
    impact: "Each SSO login of a SCIM user re-applies the mailbox template the identity provider's attributes map to, overwriting what SCIM set (quota, protocol access).",
    scopes: identityProviderCase('verify-sso', '    case "verify-sso":'),
    target: ['        if ($mapper_key !== false) {'],
    mode: 'replace',
    lines: () => ["        if ($mapper_key !== false && $row['authsource'] != 'scim') {"],
  },
  {
    id: 'idp-edit-ignore-scim',
    file: 'data/web/inc/functions.inc.php',
    hookPoint: 6,
    purpose: "changing the identity provider is not blocked by 'scim' mailboxes",
    impact: 'Saving the identity provider settings fails with "authsource in use" while SCIM mailboxes exist. Provisioning, logins and mail are not affected.',
    scopes: identityProviderCase("'edit'", "    case 'edit':"),
    target: [
      '      $stmt = $pdo->prepare("SELECT * FROM `mailbox`',
      "          WHERE `authsource` != 'mailcow'",
      '          AND `authsource` IS NOT NULL',
      '          AND `authsource` != :authsource");',
    ],
    mode: 'replace',
    lines: () => [
      '      $stmt = $pdo->prepare("SELECT * FROM `mailbox`',
      "          WHERE `authsource` != 'mailcow'",
      "          AND `authsource` != 'scim'",
      '          AND `authsource` IS NOT NULL',
      '          AND `authsource` != :authsource");',
    ],
  },
  {
    id: 'idp-delete-ignore-scim',
    file: 'data/web/inc/functions.inc.php',
    hookPoint: 6,
    purpose: "deleting the identity provider is not blocked by 'scim' mailboxes",
    impact: 'Deleting the identity provider fails while SCIM mailboxes exist. Provisioning, logins and mail are not affected.',
    scopes: identityProviderCase('delete', '    case "delete":'),
    target: [
      '      $stmt = $pdo->query("SELECT * FROM `mailbox`',
      "          WHERE `authsource` != 'mailcow'",
      '          AND `authsource` IS NOT NULL");',
    ],
    mode: 'replace',
    lines: () => [
      '      $stmt = $pdo->query("SELECT * FROM `mailbox`',
      "          WHERE `authsource` != 'mailcow'",
      "          AND `authsource` != 'scim'",
      '          AND `authsource` IS NOT NULL");',
    ],
  },
  {
    id: 'mailbox-edit-scim-no-pw-update',
    file: 'data/web/inc/functions.mailbox.inc.php',
    hookPoint: 7,
    purpose: "editing a 'scim' mailbox never forces a password update (it has no mailcow password)",
    impact: "Saving a SCIM mailbox in mailcow's edit form may set \"force password update\", which a SCIM user (who has no mailcow password) cannot satisfy.",
    scopes: [{ start: /^function mailbox\(/, end: FUNCTION_END, label: 'mailbox()' }],
    before: [
      "              $authsource           = $is_now['authsource'];",
      '              if ($_data[\'authsource\'] == "mailcow" ||',
      "                  in_array($_data['authsource'], array('keycloak', 'generic-oidc', 'ldap')) && $iam_settings['authsource'] == $_data['authsource']){",
      "                $authsource = $_data['authsource'];",
      '              }',
    ],
    target: ["              if (in_array($authsource, array('keycloak', 'generic-oidc', 'ldap'))){"],
    mode: 'replace',
    lines: () => ["              if (in_array($authsource, array('keycloak', 'generic-oidc', 'ldap', 'scim'))){"],
  },
  {
    id: 'admin-scim-tab-link',
    file: 'data/web/templates/admin.twig',
    hookPoint: 10,
    purpose: 'System > Configuration > Access lists the SCIM page, next to Identity Provider',
    impact: "The SCIM page is not linked from mailcow's menu (System > Configuration > Access); manage tokens with `mailcow-scim token` instead.",
    scopes: [{ start: /^<div id="admin-content" class="responsive-tabs">/, end: /^ {2}<\/ul>/, label: 'the admin page tabs' }],
    target: [
      '        <li><button class="dropdown-item" data-bs-target="#tab-config-identity-provider" aria-selected="false" aria-controls="tab-config-identity-provider" role="tab" data-bs-toggle="tab">Identity Provider</button></li>',
    ],
    mode: 'insert-after',
    lines: () => [
      '        <li><button class="dropdown-item" data-bs-target="#tab-config-mailcow-scim" aria-selected="false" aria-controls="tab-config-mailcow-scim" role="tab" data-bs-toggle="tab">SCIM</button></li>',
    ],
  },
  {
    id: 'admin-scim-tab-pane',
    file: 'data/web/templates/admin.twig',
    hookPoint: 10,
    purpose: "the SCIM page's tab: the bridge's admin page (tokens, policies, status, audit)",
    impact: "The SCIM page (tokens, status, audit) does not appear in mailcow's admin area; manage tokens with `mailcow-scim token` instead.",
    scopes: [{ start: /<div class="tab-content"/, end: /^ {6}<\/div>/, label: 'the admin page tab contents' }],
    target: ["        {% include 'admin/tab-config-identity-provider.twig' %}"],
    mode: 'insert-after',
    lines: () => [
      '        <div role="tabpanel" class="tab-pane fade" id="tab-config-mailcow-scim" aria-labelledby="tab-config-mailcow-scim">',
      `          <div id="mailcow-scim-admin" data-endpoint="${BRIDGE_ADMIN_ENDPOINT}"></div>`,
      `          <script src="${BRIDGE_ADMIN_ENDPOINT}?asset=admin.js" defer></script>`,
      '        </div>',
    ],
  },
  {
    id: 'edit-mailbox-scim-option',
    file: 'data/web/templates/edit/mailbox.twig',
    hookPoint: 8,
    purpose: "the edit form keeps a 'scim' mailbox's authsource instead of turning it into mailcow",
    impact: "Saving a SCIM mailbox in mailcow's edit form turns it into a plain mailcow mailbox: its user can no longer log in until `mailcow-scim doctor --repair` gives it back to SCIM.",
    scopes: [{ start: /name="authsource" class="full-width-select form-control" required>/, end: /<\/select>/, label: 'the authsource <select>' }],
    target: ['                          <option value="mailcow" {% if result.authsource == "mailcow" %}selected{% endif %}>mailcow</option>'],
    mode: 'insert-after',
    lines: () => [
      '                          {% if result.authsource == "scim" %}',
      '                          <option value="scim" selected>SCIM</option>',
      '                          {% endif %}',
    ],
  },
];
