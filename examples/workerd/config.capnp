# workerd's configuration for the example: one worker, its bundle (build.mjs writes dist/) and the
# beatflow core embedded as a wasm module, served on 127.0.0.1:8787 (`--socket-addr http=…` moves it).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    (name = "core.wasm", wasm = embed "dist/core.wasm"),
  ],
  compatibilityDate = "2025-09-01",
);
