import { nameBasedUuid, type Principal } from "@foundry-emulator/tokens";

/** The Admin API's `User`, built in one place from a principal. */
export interface FoundryUser {
  id: string;
  username: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  realm: string;
  organization?: string;
  status: "ACTIVE" | "DELETED";
  attributes: Record<string, string[]>;
}

const realmIds = new Map<string, string>();

/** Real tokens carry the realm's UUID in `multipass:realm`, while `realm` is its name (derived once per realm). */
export const realmIdFor = (realm: string) => {
  let id = realmIds.get(realm);
  if (id === undefined) {
    id = nameBasedUuid("foundry-emulator/realm", realm);
    if (realmIds.size < 1000) realmIds.set(realm, id);
  }
  return id;
};

export function toFoundryUser(principal: Principal): FoundryUser {
  const attributes: Record<string, string[]> = { ...principal.attributes };
  if (principal.givenName) attributes["multipass:givenName"] = [principal.givenName];
  if (principal.familyName) attributes["multipass:familyName"] = [principal.familyName];
  if (principal.email) attributes["multipass:email:primary"] = [principal.email];
  attributes["multipass:realm"] = [realmIdFor(principal.realm)];
  if (principal.organizationRid && principal.kind === "user") attributes["multipass:organization-rid"] = [principal.organizationRid];

  const user: FoundryUser = {
    id: principal.id,
    username: principal.username,
    realm: principal.realm,
    status: principal.active ? "ACTIVE" : "DELETED",
    attributes,
  };
  if (principal.givenName) user.givenName = principal.givenName;
  if (principal.familyName) user.familyName = principal.familyName;
  if (principal.email) user.email = principal.email;
  // Service principals have no organization: omitted, since "" is not a valid RID.
  if (principal.organizationRid && principal.kind === "user") user.organization = principal.organizationRid;
  return user;
}
