package dev.unseg.jobs.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of a local S3 server that injects faults into HTTP requests:
 * drop the connection instead of forwarding the request, answer it with HTTP 503 SlowDown, or
 * forward it and cut the connection after some bytes of the response. A {@link Schedule} decides
 * per request, not per connection: HTTP clients keep connections open (a whole protect run of S3A
 * opened four), so few connections would see a fault. The proxy finds requests by their head and
 * Content-Length; a chunked request body ends fault injection on its connection. It ends by itself
 * after {@code lifetime}; close() ends it sooner, with every socket and thread.
 */
public final class FaultyTcpProxy implements AutoCloseable {
  public enum Fault { DROP, SLOW_DOWN, CUT }

  /** A request's fate: a fault, or null to pass; for CUT, after how many bytes of the response. */
  public record Decision(Fault fault, int cutAfter) {
    public static final Decision PASS = new Decision(null, 0);
  }

  /** Decides each request's fate from its request line ("GET /bucket/key?query HTTP/1.1"); called one at a time. */
  public interface Schedule {
    Decision next(String requestLine);
  }

  /**
   * Faults drawn from a seed: about {@code percent} of the requests start a burst of faults (as on a
   * real network, a fault is followed by another with 60 percent), of a kind drawn for each, a CUT
   * after 1 to 600 bytes (mostly inside the response's headers, else early in its body); at most
   * {@code maxFaults} in all.
   */
  public static Schedule seeded(long seed, int percent, int maxFaults) {
    Random random = new Random(seed);
    int[] scheduled = {0};
    boolean[] lastFaulted = {false};
    return requestLine -> {
      int roll = random.nextInt(100);
      Fault kind = Fault.values()[random.nextInt(3)];
      int cutAfter = 1 + random.nextInt(600);
      if (scheduled[0] >= maxFaults || roll >= (lastFaulted[0] ? 60 : percent)) {
        lastFaulted[0] = false;
        return Decision.PASS;
      }
      scheduled[0]++;
      lastFaulted[0] = true;
      return new Decision(kind, cutAfter);
    };
  }

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final byte[] SLOW_DOWN_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
      + "<Message>Please reduce your request rate.</Message></Error>").getBytes(StandardCharsets.UTF_8);
  private static final byte[] SLOW_DOWN_HEAD = ("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
      + SLOW_DOWN_BODY.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private final int targetPort;
  private final Schedule schedule;
  private final ServerSocket server;
  private final Thread timer;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "faulty-proxy");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final Queue<String> faulted = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  public FaultyTcpProxy(int targetPort, Schedule schedule, Duration lifetime) throws IOException {
    this.targetPort = targetPort;
    this.schedule = schedule;
    for (Fault f : Fault.values()) {
      injected.put(f, new AtomicInteger());
    }
    server = new ServerSocket(0, 50, LOOPBACK);
    threads.execute(this::acceptLoop);
    timer = new Thread(() -> {
      try {
        Thread.sleep(lifetime.toMillis());
        close();
      } catch (InterruptedException e) {
        // closed before its time
      }
    }, "faulty-proxy-lifetime");
    timer.setDaemon(true);
    timer.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Faults injected so far, by kind (a CUT counts once it cut a response). */
  public Map<Fault, Integer> injected() {
    Map<Fault, Integer> m = new EnumMap<>(Fault.class);
    injected.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  /** The faulted requests, in order: number, method and path, fault. */
  public String trace() {
    return String.join("\n", faulted);
  }

  public String stats() {
    return connections.get() + " connections, " + requests.get() + " requests, faults " + injected();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (!client.getInetAddress().isLoopbackAddress()) {
          quietly(client);
          continue;
        }
        connections.incrementAndGet();
        track(client);
        threads.execute(() -> serve(client));
      } catch (IOException | RejectedExecutionException e) {
        return; // closed
      }
    }
  }

  private synchronized Decision decide(String requestLine) {
    int n = requests.incrementAndGet();
    Decision d = schedule.next(requestLine);
    if (d.fault() != null) {
      faulted.add(n + " " + requestLine.substring(0, Math.min(requestLine.length(), 150)) + ": " + d.fault()
          + (d.fault() == Fault.CUT ? " after " + d.cutAfter() + " bytes" : ""));
    }
    return d;
  }

  /** Forwards requests one by one (HTTP/1.1 clients do not pipeline); responses flow back in their own thread. */
  private void serve(Socket client) {
    Socket upstream = new Socket();
    AtomicLong cutAt = new AtomicLong(Long.MAX_VALUE);
    AtomicLong answered = new AtomicLong();
    try {
      track(upstream);
      upstream.connect(new InetSocketAddress(LOOPBACK, targetPort), 5000);
      threads.execute(() -> responses(upstream, client, cutAt, answered));
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = upstream.getOutputStream();
      byte[] head;
      while ((head = readHead(in)) != null) {
        cutAt.set(Long.MAX_VALUE); // the previous response has arrived: a cut not made is not carried over
        String h = new String(head, StandardCharsets.ISO_8859_1);
        String line = h.substring(0, h.indexOf("\r\n"));
        Decision d = decide(line);
        if (d.fault() == Fault.DROP) {
          injected.get(Fault.DROP).incrementAndGet();
          return;
        }
        if (d.fault() == Fault.SLOW_DOWN) {
          slowDown(client, in);
          return;
        }
        if (d.fault() == Fault.CUT) {
          cutAt.set(answered.get() + d.cutAfter());
        }
        out.write(head);
        h = h.toLowerCase(Locale.ROOT);
        if (h.contains("\ntransfer-encoding:")) {
          in.transferTo(out); // a body whose end this proxy does not look for: no more faults here
          return;
        }
        long length = contentLength(h);
        byte[] buf = new byte[8192];
        while (length > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, length));
          if (n < 0) {
            return;
          }
          out.write(buf, 0, n);
          length -= n;
        }
        out.flush();
      }
    } catch (IOException | RejectedExecutionException e) {
      // a peer went away, or the proxy closed
    } finally {
      quietly(client);
      quietly(upstream);
    }
  }

  /** Copies responses back to the client; cuts both connections once {@code cutAt} bytes went through. */
  private void responses(Socket upstream, Socket client, AtomicLong cutAt, AtomicLong answered) {
    byte[] buf = new byte[8192];
    try {
      InputStream in = upstream.getInputStream();
      OutputStream out = client.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        long sent = answered.getAndAdd(n); // before the client can see the bytes and send its next request
        long limit = cutAt.get();
        if (sent + n >= limit) {
          out.write(buf, 0, (int) Math.max(0, limit - sent));
          out.flush();
          injected.get(Fault.CUT).incrementAndGet();
          return;
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // a peer went away
    } finally {
      quietly(client);
      quietly(upstream);
    }
  }

  /** Answers 503 SlowDown, then reads what the client still sends (a body) so that it sees the answer, not a reset. */
  private void slowDown(Socket client, InputStream in) throws IOException {
    OutputStream out = client.getOutputStream();
    out.write(SLOW_DOWN_HEAD);
    out.write(SLOW_DOWN_BODY);
    out.flush();
    injected.get(Fault.SLOW_DOWN).incrementAndGet();
    client.shutdownOutput();
    client.setSoTimeout(1000);
    byte[] drain = new byte[8192];
    for (long left = 16L << 20; left > 0; ) {
      int n = in.read(drain);
      if (n < 0) {
        return;
      }
      left -= n;
    }
  }

  /** The request line and headers up to the blank line, or null at the end of the stream. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0 || head.size() > 65536) {
        return null;
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
    }
    return head.toByteArray();
  }

  private static long contentLength(String lowerCaseHead) {
    for (String line : lowerCaseHead.split("\r\n")) {
      if (line.startsWith("content-length:")) {
        return Long.parseLong(line.substring("content-length:".length()).trim());
      }
    }
    return 0;
  }

  private void track(Socket s) throws IOException {
    sockets.add(s);
    if (closed) {
      quietly(s);
      throw new IOException("the proxy is closed");
    }
  }

  private void quietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    sockets.remove(s);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    sockets.forEach(this::quietly);
    threads.shutdownNow();
    if (Thread.currentThread() != timer) {
      timer.interrupt();
    }
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
