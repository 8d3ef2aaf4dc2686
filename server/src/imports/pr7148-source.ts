/**
 * What mailcow PR 7148's SCIM provider left in the database, read by mailcow/pr7148-source.ts:
 * its `scim_tokens` and `scim_maps` rows in the shape of every layout the branch has had
 * (docs/users.md, "Coming from mailcow PR 7148").
 */

/** Which of the branch's table layouts was found. */
export interface Pr7148Layout {
  /** 'early' (template, skip_ip_check) or 'later' (default_template, mappers, templates, allow_claim). */
  tokens: 'early' | 'later';
  /** scim_maps has scim_id (the SCIM id the IdP stored) or not (then the id was the address). */
  mapsHaveScimId: boolean;
}

export interface Pr7148Token {
  id: number;
  /** The admin's label, HTML entities of early versions decoded. */
  description: string;
  /** Hex SHA-256 of the raw bearer token, as the branch stores it. */
  tokenHash: string;
  /** One domain, or null for every domain. */
  domainRestriction: string | null;
  defaultTemplate: string | null;
  /** mappers[i] selects templates[i] when the user's mailcow_template equals it; first match wins. */
  mappers: string[];
  templates: string[];
  /** allow_from entries (spaces, commas, semicolons or new lines apart); empty: any address. */
  allowFrom: string[];
  /** Early versions: 1 = allow_from is ignored. */
  skipIpCheck: boolean;
  /** Later versions: 0 = a create for an existing unowned 'scim' mailbox answered 409. */
  allowClaim: boolean | null;
  active: boolean;
  created: string | null;
}

export interface Pr7148Map {
  username: string;
  tokenId: number | null;
  externalId: string | null;
  /** The SCIM id the IdP holds (later layouts); null: the branch's id was the address itself. */
  scimId: string | null;
}

export interface Pr7148Source {
  layout: Pr7148Layout;
  tokens: Pr7148Token[];
  maps: Pr7148Map[];
}
