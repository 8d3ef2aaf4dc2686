/** `mailcow-scim adopt ADDRESS --token ID`: hand an existing mailbox over to a SCIM token. */
import { parseArgs } from 'node:util';
import { adoptMailbox } from '../mailcow/adopt.js';
import { openContext } from './context.js';
import { print, UsageError, type CliCommand } from './io.js';

export const adoptCommand: CliCommand = {
  path: ['adopt'],
  summary: 'hand an existing mailbox over to a SCIM token (its next POST /Users claims it)',
  usage: `mailcow-scim adopt ADDRESS --token ID [--json]

Marks the mailbox ADDRESS as SCIM-managed (authsource 'scim') and unlinks any SCIM user of another
token, so that the token ID's next POST /Users for this address claims the mailbox (201) instead of
answering 409. Mail, aliases and the password hash are kept; to hand it back, set the authsource
to mailcow in mailcow's UI.`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { token: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError('give exactly one mailbox address');
    if (!values.token) throw new UsageError('--token is required (see mailcow-scim token list)');
    const ctx = openContext(io);
    try {
      const token = await ctx.tokens.get(values.token);
      const result = await adoptMailbox(ctx.pool, positionals[0]!, token);
      if (values.json) print(io.stdout, JSON.stringify({ ...result, tokenId: token.id }));
      else {
        print(io.stdout, `${result.mailbox} now belongs to SCIM token "${token.name}" (was authsource '${result.previousAuthsource ?? 'mailcow'}').`);
        if (result.unlinkedUser) print(io.stdout, `Unlinked SCIM user ${result.unlinkedUser.id} of token ${result.unlinkedUser.tokenId}.`);
        print(io.stdout, `The IdP's next POST /Users for ${result.mailbox} links it.`);
      }
      return 0;
    } finally {
      await ctx.close();
    }
  },
};
