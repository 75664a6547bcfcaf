import * as z from 'zod';

/**
 * Zod schemas for the Tailscale admin API v2 answers we read. Loose: the API adds fields over time,
 * and we keep only what the digests and offboarding need.
 */

const optStr = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);
const optBool = z
  .boolean()
  .nullish()
  .transform((value) => value ?? undefined);
const strList = z
  .array(z.string())
  .nullish()
  .transform((value) => value ?? []);

export const DeviceSchema = z.looseObject({
  id: z.string(),
  nodeId: optStr,
  /** MagicDNS name, e.g. `gw1.example-tailnet.ts.net`. */
  name: optStr,
  hostname: optStr,
  /** The owner's loginName; for tagged devices, the person who created them. */
  user: optStr,
  tags: strList,
  addresses: strList,
  os: optStr,
  lastSeen: optStr,
  connectedToControl: optBool,
  authorized: optBool,
  keyExpiryDisabled: optBool,
  expires: optStr,
  created: optStr,
});
export type Device = z.infer<typeof DeviceSchema>;

export const DeviceListSchema = z.looseObject({ devices: z.array(DeviceSchema) });

export const UserStatusSchema = z.string(); // active | idle | suspended | needs-approval | …
export const UserSchema = z.looseObject({
  id: z.string(),
  loginName: z.string(),
  displayName: optStr,
  role: optStr,
  status: UserStatusSchema.nullish().transform((value) => value ?? undefined),
  type: optStr,
  deviceCount: z
    .number()
    .nullish()
    .transform((value) => value ?? undefined),
  lastSeen: optStr,
  currentlyConnected: optBool,
});
export type User = z.infer<typeof UserSchema>;

export const UserListSchema = z.looseObject({ users: z.array(UserSchema) });

/** RFC 6749 client-credentials answer from `POST /api/v2/oauth/token`. */
export const OAuthTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: optStr,
  expires_in: z.number().positive(),
  scope: optStr,
});

/** One entry of `data` when policy tests fail (client/tailscale ACLTestFailureSummary). */
export const PolicyTestFailureSchema = z.looseObject({
  user: optStr,
  errors: strList,
  warnings: strList,
});
export type PolicyTestFailure = z.infer<typeof PolicyTestFailureSchema>;

/**
 * `POST …/acl/validate` answers 200 in both cases: `{}` when the tests pass, or
 * `{"message":"test(s) failed","data":[{user, errors}]}` when they do not. Error bodies of other
 * routes share the `message` field.
 */
export const ApiMessageSchema = z.looseObject({
  message: z.string().nullish().catch(undefined),
  data: z.array(PolicyTestFailureSchema).nullish().catch(undefined),
});

/** `GET/POST …/dns/preferences`: whether MagicDNS is on for the tailnet. */
export const DnsPreferencesSchema = z.looseObject({ magicDNS: z.boolean() });
export type DnsPreferences = z.infer<typeof DnsPreferencesSchema>;
