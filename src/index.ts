export { SharedCore, compileCore } from "./memory.js";
