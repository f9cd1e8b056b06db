// The learners (assembly/README.md "Learners"): SIMD vector math, the logistic model, the 1€ duration
// predictors of task fingerprints, a Q-table, the placement router's models and per-shape measurements.
export { vecDot, vecAxpy, vecScale, vecDotScalar, vecAxpyScalar } from "./vec";
export { logitSize, logitInit, logitPredict, logitUpdate } from "./logistic";
export { learnSize, learnSetup, learnEnable, learnObserve, taskShape, predictObserve, predictFold, predictValue, predictRead, predictReadAt, predictRestore, predictReset } from "./predictor";
export { qSize, qInit, qChoose, qBest, qUpdate, qValue } from "./qtable";
export { routerSize, routerInit, routerResetModel, routerFeatures, routerModel, routerQuery, routerUpdate } from "./router";
export { shapeSize, shapeInit, shapeReset, shapeStat, shapeObserve } from "./shapes";
export { reuseSeen } from "./reuse";
export { routeDecideSize, routeDecideParams, routeDecideSpreads, routeDecideOut, routeDecide, flog } from "./route-decide";
export { routeCallSize, routeCallAt, routeCallDim, routeFamily, routeRowReset, routeCall, routeCallError, routeCallHistory, routeObserve } from "./route-call";
export { routeFeatures } from "./route-features";
