/**
 * Before migration 5 makes live token names unique: live tokens that share a name keep the
 * oldest one's name, and the others get the first characters of their id appended, which the
 * admin sees in `token list`. Revoked tokens keep theirs (the key covers live tokens only).
 */
import type { ResultSetHeader } from 'mysql2';
import type { Queryable } from './queryable.js';

export async function renameDuplicateTokenNames(db: Queryable): Promise<number> {
  const [r] = await db.query<ResultSetHeader>(
    `UPDATE mailcow_scim_tokens t
       JOIN mailcow_scim_tokens o
         ON o.revoked_at IS NULL AND t.revoked_at IS NULL AND o.name = t.name
        AND (o.created_at < t.created_at OR (o.created_at = t.created_at AND o.id < t.id))
        SET t.name = CONCAT(LEFT(t.name, 244), ' (', LEFT(t.id, 8), ')')`,
  );
  return r.affectedRows;
}
