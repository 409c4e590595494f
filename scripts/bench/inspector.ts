// The V8 inspector of another Node process (the portal's `next start`), opened with SIGUSR1 on the port its
// NODE_OPTIONS named (--inspect-port): CPU profiles of a stretch of load, and expressions evaluated in it.
import { WebSocket } from "undici";

export type Inspector = {
  post<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  evaluate<T = unknown>(expression: string): Promise<T>;
  close(): void;
};

export async function attachInspector(pid: number, port: number): Promise<Inspector> {
  process.kill(pid, "SIGUSR1");
  let targets: Array<{ webSocketDebuggerUrl: string }> = [];
  for (let attempt = 0; attempt < 50 && targets.length === 0; attempt++) {
    await new Promise((r) => setTimeout(r, 200));
    targets = await fetch(`http://127.0.0.1:${port}/json/list`).then(
      (r) => r.json() as Promise<typeof targets>,
      () => [],
    );
  }
  if (!targets[0]) throw new Error(`the inspector of process ${pid} did not open on port ${port}`);
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve());
    socket.addEventListener("error", () => reject(new Error("the inspector's socket failed")));
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiting = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id!);
    if (message.error) waiting.reject(new Error(message.error.message));
    else waiting.resolve(message.result);
  });
  const post = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    post,
    evaluate: async <T>(expression: string) => {
      const { result, exceptionDetails } = await post<{
        result: { value?: T };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      }>("Runtime.evaluate", {
        expression,
        returnByValue: true,
        awaitPromise: true,
      });
      if (exceptionDetails)
        throw new Error(`evaluation failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
      return result.value as T;
    },
    close: () => socket.close(),
  };
}
