// Serves the API against any authority, configured by environment variables (the list is in
// oboApiConfigFromEnv, src/config.ts). Against the local emulator, `src/demo.ts` sets them for you.
//
//   AUTHORITY=https://login.microsoftonline.com/<tenant> CLIENT_ID=<API's app id> CLIENT_SECRET=… \
//   REQUIRED_SCOPE=access_as_user PORT=3001 \
//   node --conditions=source --import tsx examples/obo-api/src/main.ts
import { createOboApi } from "./api.js";
import { OboApiConfigError, oboApiConfigFromEnv } from "./config.js";

let api;
try {
  api = createOboApi(oboApiConfigFromEnv(process.env));
} catch (e) {
  if (!(e instanceof OboApiConfigError)) throw e;
  console.error(e.message);
  process.exit(2);
}
const port = Number(process.env.PORT ?? 3001);
api.app.listen(port, "127.0.0.1", () => console.log(`The API listens on http://localhost:${port}/profile`));
