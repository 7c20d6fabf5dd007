console.log("msal-ts");
