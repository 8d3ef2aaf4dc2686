import { defineAttribute as a, defaultMultiValuedSubAttributes, freezeDeep, type SchemaDef } from './attribute.js';
import { MAILCOW_GROUP_SCHEMA, MAILCOW_USER_SCHEMA } from './urns.js';

/**
 * Our User extension: what a mailcow mailbox has that no standard schema covers
 * (docs/architecture.md §4). Quota is in MiB, as mailcow's admin UI and API take it.
 */
export const MAILCOW_USER_SCHEMA_DEF: SchemaDef = freezeDeep({
  id: MAILCOW_USER_SCHEMA,
  name: 'MailcowUser',
  description: 'mailcow mailbox settings',
  attributes: [
    a('template', 'string', { description: 'Name of the mailcow mailbox template to apply.' }),
    a('quota', 'integer', { description: 'Mailbox quota in MiB (0 = the domain default).' }),
    a('tags', 'string', { description: 'mailcow mailbox tags.', multiValued: true }),
    a('protocolAccess', 'complex', {
      description: 'Which protocols the mailbox may use.',
      subAttributes: [
        a('imap', 'boolean', { description: 'IMAP access.' }),
        a('pop3', 'boolean', { description: 'POP3 access.' }),
        a('smtp', 'boolean', { description: 'SMTP submission.' }),
        a('sieve', 'boolean', { description: 'ManageSieve access.' }),
        a('eas', 'boolean', { description: 'Exchange ActiveSync access.' }),
        a('dav', 'boolean', { description: 'CalDAV/CardDAV access.' }),
        a('sogo', 'boolean', { description: 'SOGo webmail access.' }),
      ],
    }),
    a('mailboxAddress', 'string', {
      description: 'The mailbox address chosen when the mailbox was created; it never changes.',
      mutability: 'readOnly',
    }),
    a('usedBytes', 'integer', { description: 'Bytes stored in the mailbox.', mutability: 'readOnly' }),
    a('messageCount', 'integer', { description: 'Messages stored in the mailbox.', mutability: 'readOnly' }),
  ],
});

/**
 * Our Group extension: the mailcow alias (distribution list) a group owns, if any. `emails` is
 * here, not in the core Group schema (RFC 7643 §4.2 has none): a client sending a top-level
 * `emails` on a Group (a group's mail address) is read into this extension, since unqualified
 * names resolve to extension attributes the core schema does not define.
 */
export const MAILCOW_GROUP_SCHEMA_DEF: SchemaDef = freezeDeep({
  id: MAILCOW_GROUP_SCHEMA,
  name: 'MailcowGroup',
  description: 'mailcow alias of a group',
  attributes: [
    // A mailcow address belongs to one alias or mailbox on the whole server: two groups cannot share it.
    a('address', 'string', { description: 'The alias address whose recipients are the members.', uniqueness: 'server' }),
    a('emails', 'complex', {
      description: "The group's e-mail addresses; the first in a managed domain (primary, then work, then the rest) becomes the alias address when `address` is not set.",
      multiValued: true,
      subAttributes: defaultMultiValuedSubAttributes('string', ['work', 'other'], { valueDescription: 'An e-mail address of the group.' }),
    }),
    a('aliasActive', 'boolean', {
      description: 'Whether the alias exists and is active in mailcow.',
      mutability: 'readOnly',
    }),
  ],
});
