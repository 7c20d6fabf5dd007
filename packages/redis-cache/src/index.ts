// @msal-ts/redis-cache: a distributed token cache on Redis.
export {};
