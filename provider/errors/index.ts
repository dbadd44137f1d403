/**
 * Every error this package throws, under one base ({@link ProviderError}); the user-facing
 * words of ONTAP failures come from ../diagnostics.
 */
export * from "./base";
export * from "./data-sources";
export * from "./release";
export * from "./resource";
export * from "./transport";
