<?php
/*
 * Test double of mailcow's /admin/system page (data/web/admin/system.php + templates/base.twig
 * + templates/admin.twig): the frame, the "Access" dropdown with the Identity Provider tab, and
 * the two admin.twig hunks of the install patch (server/src/install/hunks.ts, written to the
 * directory MCS_ADMIN_TWIG_HUNKS by the test), inserted where the patch puts them.
 */

declare(strict_types=1);

require $_SERVER['DOCUMENT_ROOT'] . '/inc/prerequisites.inc.php';
if (($_SESSION['mailcow_cc_role'] ?? '') !== 'admin') {
    header('Location: /');
    exit;
}
$hunks = getenv('MCS_ADMIN_TWIG_HUNKS') ?: '';
$menuItem = (string) file_get_contents($hunks . '/admin-scim-tab-link.twig');
$tabPane = (string) file_get_contents($hunks . '/admin-scim-tab-pane.twig');
$csrf = htmlspecialchars($_SESSION['CSRF']['TOKEN'], ENT_QUOTES);
?><!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>mailcow UI (test frame)</title>
  <link rel="stylesheet" href="/vendor/bootstrap5/css/bootstrap.min.css">
</head>
<body>
<nav class="navbar navbar-expand-lg navbar-light bg-light sticky-top p-0">
  <div class="container-fluid"><a class="navbar-brand px-2" href="/">mailcow <small class="text-muted">(test frame)</small></a></div>
</nav>
<div class="container-xxl mt-3">
<div id="admin-content" class="responsive-tabs">
  <ul class="nav nav-tabs" role="tablist">
    <li class="nav-item dropdown">
      <a class="nav-link dropdown-toggle active" data-bs-toggle="dropdown" href="#" role="button" aria-expanded="false">Access</a>
      <ul class="dropdown-menu">
        <li><button class="dropdown-item active" data-bs-target="#tab-config-admins" aria-selected="false" aria-controls="tab-config-admins" role="tab" data-bs-toggle="tab">Administrators</button></li>
        <li><button class="dropdown-item" data-bs-target="#tab-config-identity-provider" aria-selected="false" aria-controls="tab-config-identity-provider" role="tab" data-bs-toggle="tab">Identity Provider</button></li>
<?= $menuItem ?>
        <li><button class="dropdown-item" data-bs-target="#tab-config-oauth2" aria-selected="false" aria-controls="tab-config-oauth2" role="tab" data-bs-toggle="tab">OAuth2 Apps</button></li>
      </ul>
    </li>
    <li role="presentation" class="nav-item"><button class="nav-link" data-bs-target="#tab-routing" aria-selected="false" aria-controls="tab-routing" role="tab" data-bs-toggle="tab">Routing</button></li>
  </ul>

  <div class="row">
    <div class="col-md-12">
      <div class="tab-content" style="padding-top:20px">
        <div class="tab-pane fade show active" id="tab-config-admins" role="tabpanel"><p>Administrators (test frame)</p></div>
        <div class="tab-pane fade" id="tab-config-identity-provider" role="tabpanel"><p>Identity Provider (test frame)</p></div>
<?= $tabPane ?>
        <div class="tab-pane fade" id="tab-config-oauth2" role="tabpanel"><p>OAuth2 (test frame)</p></div>
        <div class="tab-pane fade" id="tab-routing" role="tabpanel"><p>Routing (test frame)</p></div>
      </div>
    </div>
  </div>
</div>
<script type='text/javascript'>
var csrf_token = '<?= $csrf ?>';
</script>
</div>
<script src="/vendor/popperjs2/popper.min.js"></script>
<script src="/vendor/bootstrap5/js/bootstrap.bundle.min.js"></script>
</body>
</html>
