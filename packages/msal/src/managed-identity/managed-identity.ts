/**
 * Which managed identity a {@link ManagedIdentityClient} acquires tokens for: the host's
 * system-assigned identity, or one of the user-assigned identities attached to it.
 *
 * @module
 */
import { ManagedIdentityError } from "../errors.js";

/**
 * The kinds of managed identity, as they appear in MSAL's configuration dictionary
 * (`{"ManagedIdentityIdType": "ClientId", "Id": "…"}`), which other MSALs and config files share.
 */
export const ManagedIdentityIdType = {
  /** The host's system-assigned identity; its `Id` is `null`. */
  SYSTEM_ASSIGNED: "SystemAssigned",
  /** A user-assigned identity named by the client (application) id of its service principal. */
  CLIENT_ID: "ClientId",
  /** A user-assigned identity named by its Azure resource id (`/subscriptions/…/userAssignedIdentities/{name}`). */
  RESOURCE_ID: "ResourceId",
  /** A user-assigned identity named by its object (principal) id. */
  OBJECT_ID: "ObjectId",
} as const;
export type ManagedIdentityIdType = (typeof ManagedIdentityIdType)[keyof typeof ManagedIdentityIdType];

/** The id kinds of a user-assigned identity. */
export type UserAssignedIdType = Exclude<ManagedIdentityIdType, "SystemAssigned">;

/**
 * A managed identity in MSAL's configuration shape: what {@link SystemAssignedManagedIdentity} and
 * {@link UserAssignedManagedIdentity} are, and what a JSON configuration may hold, e.g.
 * `{"ManagedIdentityIdType": "SystemAssigned", "Id": null}`.
 */
export type ManagedIdentity =
  | {
      /** `"SystemAssigned"`: the host's own identity. */
      readonly ManagedIdentityIdType: "SystemAssigned";
      /** Always `null`: a host has one system-assigned identity. */
      readonly Id: null;
    }
  | {
      /** Which of the user-assigned identity's ids `Id` is. */
      readonly ManagedIdentityIdType: UserAssignedIdType;
      /** The client id, object id or resource id of the identity. */
      readonly Id: string;
    };

/**
 * The system-assigned managed identity of the host the code runs on (a VM, an App Service app, a
 * Service Fabric application, an Arc-enabled server …).
 *
 * `JSON.stringify` gives `{"ManagedIdentityIdType":"SystemAssigned","Id":null}`, the configuration
 * shape every MSAL reads.
 *
 * @example
 * ```ts
 * import { ManagedIdentityClient, SystemAssignedManagedIdentity } from "@msal-ts/msal";
 *
 * const client = new ManagedIdentityClient(new SystemAssignedManagedIdentity());
 * const result = await client.acquireTokenForClient({ resource: "https://vault.azure.net" });
 * ```
 */
export class SystemAssignedManagedIdentity {
  /** Always `"SystemAssigned"`. */
  readonly ManagedIdentityIdType = ManagedIdentityIdType.SYSTEM_ASSIGNED;
  /** Always `null`: a host has one system-assigned identity. */
  readonly Id = null;
}

/** The one id that names a user-assigned identity. */
export type UserAssignedManagedIdentityId =
  | {
      /** The client (application) id of the identity's service principal (MSAL Python's `client_id`). */
      readonly clientId: string;
      /** Not with `clientId`. */
      readonly objectId?: undefined;
      /** Not with `clientId`. */
      readonly resourceId?: undefined;
    }
  | {
      /** The object (principal) id of the identity (MSAL Python's `object_id`). */
      readonly objectId: string;
      /** Not with `objectId`. */
      readonly clientId?: undefined;
      /** Not with `objectId`. */
      readonly resourceId?: undefined;
    }
  | {
      /**
       * The Azure resource id of the identity (MSAL Python's `resource_id`),
       * `/subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`.
       */
      readonly resourceId: string;
      /** Not with `resourceId`. */
      readonly clientId?: undefined;
      /** Not with `resourceId`. */
      readonly objectId?: undefined;
    };

const ID_KEYS = {
  clientId: ManagedIdentityIdType.CLIENT_ID,
  objectId: ManagedIdentityIdType.OBJECT_ID,
  resourceId: ManagedIdentityIdType.RESOURCE_ID,
} as const;

/**
 * A user-assigned managed identity attached to the host, named by exactly one of its ids: the
 * client id of its service principal, its object (principal) id, or its Azure resource id
 * (`/subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`).
 *
 * `JSON.stringify` gives MSAL's configuration shape, e.g.
 * `{"ManagedIdentityIdType":"ClientId","Id":"…"}`.
 *
 * @example
 * ```ts
 * import { ManagedIdentityClient, UserAssignedManagedIdentity } from "@msal-ts/msal";
 *
 * const identity = new UserAssignedManagedIdentity({ clientId: "9d4e0a3c-…" });
 * const client = new ManagedIdentityClient(identity);
 * const result = await client.acquireTokenForClient({ resource: "https://management.azure.com" });
 * if ("error" in result) throw new Error(`${result.error}: ${result.error_description}`);
 * ```
 */
export class UserAssignedManagedIdentity {
  /** Which id `Id` is: `"ClientId"`, `"ObjectId"` or `"ResourceId"`. */
  readonly ManagedIdentityIdType: UserAssignedIdType;
  /** The id given to the constructor. */
  readonly Id: string;

  /**
   * @param id - Exactly one of `clientId`, `objectId` or `resourceId`, a non-empty string.
   * @throws {@link ManagedIdentityError} when none, more than one, an empty one, or an unknown
   *   key (such as Python's `client_id`) is given.
   */
  constructor(id: UserAssignedManagedIdentityId) {
    const given = typeof id === "object" && id !== null ? Object.entries(id).filter(([, v]) => v !== undefined) : [];
    const [only] = given;
    if (given.length !== 1 || only === undefined || !(only[0] in ID_KEYS)) {
      const got = typeof id === "object" && id !== null ? `{ ${given.map(([k]) => k).join(", ")} }` : String(id);
      throw new ManagedIdentityError(
        `UserAssignedManagedIdentity needs exactly one of clientId, objectId or resourceId; got ${got}.`,
      );
    }
    const [key, value] = only;
    if (typeof value !== "string" || value.trim() === "") {
      throw new ManagedIdentityError(`UserAssignedManagedIdentity: ${key} must be a non-empty string.`);
    }
    this.ManagedIdentityIdType = ID_KEYS[key as keyof typeof ID_KEYS];
    this.Id = value;
  }
}

const USER_ASSIGNED_TYPES: ReadonlySet<string> = new Set([
  ManagedIdentityIdType.CLIENT_ID,
  ManagedIdentityIdType.RESOURCE_ID,
  ManagedIdentityIdType.OBJECT_ID,
]);

/**
 * Checks a managed identity given as a class instance or in MSAL's configuration shape (a parsed
 * JSON configuration, say) and returns a frozen copy.
 *
 * @throws {@link ManagedIdentityError} for anything else.
 */
export function normalizeManagedIdentity(value: unknown): ManagedIdentity {
  if (typeof value === "object" && value !== null) {
    const type = (value as { ManagedIdentityIdType?: unknown }).ManagedIdentityIdType;
    const id = (value as { Id?: unknown }).Id;
    if (type === ManagedIdentityIdType.SYSTEM_ASSIGNED && (id === null || id === undefined)) {
      return Object.freeze({ ManagedIdentityIdType: type, Id: null });
    }
    if (typeof type === "string" && USER_ASSIGNED_TYPES.has(type) && typeof id === "string" && id.trim() !== "") {
      return Object.freeze({ ManagedIdentityIdType: type as UserAssignedIdType, Id: id });
    }
  }
  throw new ManagedIdentityError(
    "managedIdentity must be a SystemAssignedManagedIdentity, a UserAssignedManagedIdentity, or " +
      'their configuration shape, e.g. {"ManagedIdentityIdType": "ClientId", "Id": "<client id>"}.',
  );
}
