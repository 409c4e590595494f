// A real SMTP server on loopback that keeps what it receives (smtp-server + mailparser), for `npm run demo` and
// the tests: the portal sends through nodemailer exactly as it would to a production relay, and the captured
// messages can be read back (`messages()`, or over HTTP at /messages as JSON and / as a page in the demo).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type CapturedMail = { from: string; to: string[]; subject: string; text: string; receivedAt: string };

export type MailCapture = {
  smtpPort: number;
  smtpUrl: string;
  messages(): CapturedMail[];
  /** Stops accepting connections (a mail server that is down); `start()` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  httpPort: number | null;
};

const HOST = "127.0.0.1";

function addresses(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list
    .flatMap((a: { value?: Array<{ address?: string }> }) => (a.value ?? []).map((v) => v.address ?? ""))
    .filter(Boolean);
}

export async function startMailCapture(options: { smtpPort?: number; httpPort?: number } = {}): Promise<MailCapture> {
  const captured: CapturedMail[] = [];
  const makeServer = () =>
    new SMTPServer({
      // Loopback only, no TLS and no login: a capture server for this machine, never a relay.
      secure: false,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            captured.push({
              from: addresses(mail.from)[0] ?? "",
              to: addresses(mail.to),
              subject: mail.subject ?? "",
              text: mail.text ?? "",
              receivedAt: new Date().toISOString(),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
  let server = makeServer();
  let port = options.smtpPort ?? 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, HOST, () => {
        port = (server.server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();

  let web: http.Server | null = null;
  if (options.httpPort !== undefined) {
    web = http.createServer((req, res) => {
      if (req.url === "/messages") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(captured));
        return;
      }
      const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
      const rows = [...captured]
        .reverse()
        .map(
          (m) =>
            `<article><h2>${esc(m.subject)}</h2><p>${esc(m.receivedAt)} · from ${esc(m.from)} to ${esc(m.to.join(", "))}</p><pre>${esc(m.text)}</pre></article>`,
        );
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end(
          `<!doctype html><title>Captured mail</title><h1>Mail sent by the portal (${captured.length})</h1>${rows.join("") || "<p>None yet.</p>"}`,
        );
    });
    await new Promise<void>((resolve) => web!.listen(options.httpPort, HOST, resolve));
  }

  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    get smtpPort() {
      return port;
    },
    get smtpUrl() {
      return `smtp://${HOST}:${port}`;
    },
    httpPort: web ? (web.address() as AddressInfo).port : null,
    messages: () => [...captured],
    stop,
    async start() {
      server = makeServer();
      await listen();
    },
    async close() {
      await stop();
      await new Promise<void>((resolve) => (web ? web.close(() => resolve()) : resolve()));
    },
  };
}
