// Fault injection: the model, the per-emulator registry, how faults change answers and ID tokens,
// and the command line's spec syntax.
export { FAULT_ENDPOINTS, FAULT_KINDS, checkFault } from "./model.js";
export type { Fault, FaultEndpoint, FaultKind, RequestEndpoint } from "./model.js";
export { FaultRegistry } from "./registry.js";
export type { EmulatorFaults, FaultHandle, FaultTarget } from "./registry.js";
export { FOREIGN_TENANT_ID, deliver, faultReplacement } from "./responses.js";
export type { FaultReplacement, OutgoingAnswer } from "./responses.js";
export { mintIdToken } from "./id-tokens.js";
export { endpointOf, serverTarget } from "./targets.js";
export { faultSpecHelp, formatFaultSpec, parseFaultSpec } from "./spec.js";
