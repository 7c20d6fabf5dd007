/**
 * The base of the public and confidential client applications.
 *
 * @module
 */
import type { TokenCache } from "../cache/index.js";
import { getAccounts, removeAccount, type Account, type GetAccountsOptions } from "./accounts.js";
import { AppContext } from "./app-context.js";
import type { ClientApplicationOptions, ConfidentialClientApplicationOptions } from "./options.js";
import { ApiId } from "./telemetry.js";

/**
 * What every application can do. You do not usually use this class directly: construct a
 * {@link PublicClientApplication} or a {@link ConfidentialClientApplication}.
 */
export class ClientApplication {
  static readonly ACQUIRE_TOKEN_SILENT_ID = ApiId.ACQUIRE_TOKEN_SILENT_ID;
  static readonly ACQUIRE_TOKEN_BY_REFRESH_TOKEN = ApiId.ACQUIRE_TOKEN_BY_REFRESH_TOKEN;
  static readonly ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID = ApiId.ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID;
  static readonly ACQUIRE_TOKEN_ON_BEHALF_OF_ID = ApiId.ACQUIRE_TOKEN_ON_BEHALF_OF_ID;
  static readonly ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID = ApiId.ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID;
  static readonly ACQUIRE_TOKEN_FOR_CLIENT_ID = ApiId.ACQUIRE_TOKEN_FOR_CLIENT_ID;
  static readonly ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID = ApiId.ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID;
  static readonly ACQUIRE_TOKEN_INTERACTIVE = ApiId.ACQUIRE_TOKEN_INTERACTIVE;
  static readonly GET_ACCOUNTS_ID = ApiId.GET_ACCOUNTS_ID;
  static readonly REMOVE_ACCOUNT_ID = ApiId.REMOVE_ACCOUNT_ID;
  /** Pass as `azureRegion` to detect the region the app runs in. */
  static readonly ATTEMPT_REGION_DISCOVERY = true;

  /** @internal */
  protected readonly ctx: AppContext;

  protected constructor(
    clientId: string,
    options: ClientApplicationOptions | ConfidentialClientApplicationOptions | undefined,
    confidential: boolean,
  ) {
    this.ctx = new AppContext(clientId, options, confidential);
  }

  /** The app's client id. */
  get clientId(): string {
    return this.ctx.clientId;
  }

  /** The app's token cache. */
  get tokenCache(): TokenCache {
    return this.ctx.cache;
  }

  /** The authority URL the app signs in against. */
  get authority(): string {
    return this.ctx.authority.url;
  }

  /**
   * The accounts signed in to this app, one per user.
   *
   * @param options `username` filters case-insensitively.
   * @returns Accounts to pass to `acquireTokenSilent` or `removeAccount`.
   */
  getAccounts(options?: GetAccountsOptions): Promise<Account[]> {
    return getAccounts(this.ctx, options);
  }

  /**
   * Signs the account out of this app: its access, refresh and ID tokens and its account entries
   * leave the cache. Other apps' refresh tokens for the user stay, unless shared through a family.
   */
  async removeAccount(account: Account): Promise<void> {
    removeAccount(this.ctx, account);
  }
}
