// The msal-ts command; its commands arrive in the next change.
process.stdout.write("msal-ts\n");
