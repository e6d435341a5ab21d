// A plain third-party SSE producer, as the original design note describes
// one: its events are the note's ConnectionEvent,
// {EventType, Identity, Timestamp, SourceIP, IsConnected}, each an ordinary
// unnamed `message`, with no heartbeat, no snapshot, no ids and no `retry:`.
// It knows nothing of zitiscope's protocol.
import http from 'node:http';

/**
 * Starts the producer on 127.0.0.1 (port 0). Every open stream gets each
 * event `talk()` returns, every `everyMs`; `talk(tick)` may return null to
 * stay silent that tick. Returns its `url`, a `stats` object counting the
 * streams opened (`connections`) and the events written (`sent`), and `close()`.
 */
export async function startProducer({ everyMs = 400, talk }) {
  const stats = { connections: 0, open: 0, sent: 0 };
  const streams = new Set();
  const server = http.createServer((req, res) => {
    // The app reads it from another origin (the served app's).
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (new URL(req.url, 'http://producer').pathname !== '/events') {
      // Nothing else here, `/config.json` included: the app keeps its defaults.
      res.writeHead(404, cors).end();
      return;
    }
    stats.connections += 1;
    stats.open += 1;
    res.writeHead(200, { ...cors, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    streams.add(res);
    req.on('close', () => { streams.delete(res); stats.open -= 1; });
  });
  let tick = 0;
  const timer = setInterval(() => {
    const event = talk(tick++);
    if (!event) return;
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of streams) { res.write(frame); stats.sent += 1; }
  }, everyMs);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    stats,
    close: () => {
      clearInterval(timer);
      for (const res of streams) res.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
