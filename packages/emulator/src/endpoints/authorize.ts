import type { EmulatorContext } from "../context.js";
import { EntraError, entraErrorBody } from "../errors.js";
import type { Handler } from "../http.js";
import { AuthorizeFailure, readAuthorizeRequest } from "../sign-in/authorize-request.js";
import { authorizeErrorResponse } from "../sign-in/authorize-response.js";
import { errorPage } from "../sign-in/pages.js";
import { continueSignIn, startSignIn } from "../sign-in/steps.js";

/**
 * `GET /{tenant}/oauth2/v2.0/authorize` (and `POST` with the same parameters in the body, as OpenID
 * Connect allows): validates the request and runs the sign-in pages, whose forms also `POST` here with
 * a hidden `flow` field. Errors go back to the app in its response mode when its redirect URI is
 * trustworthy, else onto an error page (authority-wire-format §1.3).
 */
export function createAuthorizeEndpoint(ctx: EmulatorContext): Handler {
  return (request) => {
    try {
      if (request.method === "POST" && request.form.has("flow")) return continueSignIn(ctx, request);
      const authorize = readAuthorizeRequest(ctx, request, request.method === "POST" ? request.form : request.query);
      return startSignIn(ctx, request, authorize);
    } catch (err) {
      const failure = err instanceof EntraError ? new AuthorizeFailure(err, undefined) : err;
      if (!(failure instanceof AuthorizeFailure)) throw err;
      if (failure.target) return authorizeErrorResponse(failure.target, failure.error, request);
      return errorPage(entraErrorBody(failure.error, request), failure.error.status);
    }
  };
}
