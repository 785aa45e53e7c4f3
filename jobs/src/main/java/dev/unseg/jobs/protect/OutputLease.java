package dev.unseg.jobs.protect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.unseg.jobs.config.RunSafety;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.OutputLayout;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.error.UserError;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's hold on its output: {@code _unseg/lease.json} names the run, its host and a heartbeat the
 * run rewrites every quarter of {@code unseg.run.lease-expiry}; the run removes it when it ends. A
 * second run into the same output is refused while the lease is live. A lease whose heartbeat is
 * older than the expiry belongs to a run that died, and {@code --resume} or {@code --overwrite}
 * takes it over.
 *
 * <p>Taking a free output is atomic on local disks and HDFS (create-if-absent). S3A in Hadoop 3.3
 * has no conditional create, so two runs started within the same second into one bucket prefix
 * could both take it; each rereads the lease after writing and the later writer wins.
 */
public final class OutputLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutputLease.class);
  /** Reads of an unreadable lease at the start, and tries to remove it at the end; S3A retries inside each. */
  private static final int STORE_ATTEMPTS = 3;
  private static final String UNREADABLE = "(unreadable lease file)";
  private static final ObjectMapper JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  /** The lease file's content. Times are the holder's clock, ISO-8601. */
  record Holder(String runId, String host, long pid, String acquiredAt, String heartbeatAt) {
    Duration age(Instant now) {
      return Duration.between(Instant.parse(heartbeatAt), now);
    }

    /** Read while being written, or cut short: not a holder to act on. */
    boolean unreadable() {
      return UNREADABLE.equals(runId);
    }

    String describe(Instant now) {
      return "run " + runId + " (host " + host + ", pid " + pid + ", started " + acquiredAt + ", last heartbeat "
          + Math.max(0, age(now).toSeconds()) + " s ago" + (diedHere() ? "; no process " + pid + " runs on this host now:"
          + " that run died" : "") + ")";
    }

    /**
     * Held by a process of this host that is gone (killed, crashed): said, never acted on (a pid alone proves
     * little), and not for a host named localhost, a name many machines share.
     */
    private boolean diedHere() {
      return host.equals(host()) && !host.startsWith("localhost") && pid != ProcessHandle.current().pid()
          && ProcessHandle.of(pid).isEmpty();
    }
  }

  private final Storage fs;
  private final Path file;
  private final Holder mine;
  private final Duration expiry;
  private final PrintStream console;
  private final ScheduledExecutorService heartbeat;
  private volatile String lostTo;

  private OutputLease(Storage fs, Path file, Holder mine, Duration expiry, PrintStream console) {
    this.fs = fs;
    this.file = file;
    this.mine = mine;
    this.expiry = expiry;
    this.console = console;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "unseg-output-lease");
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(25, expiry.toMillis() / 4);
    heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Refuses (exit 2) when a live run holds the output; changes nothing. Called with the other start
   * checks, before anything is written.
   */
  static void checkFree(Storage fs, Locations locations, RunSafety safety) throws IOException {
    Holder holder = readSettled(fs, locations.layout().lease());
    Instant now = Instant.now();
    if (holder == null) {
      return;
    }
    if (holder.age(now).compareTo(safety.leaseExpiry()) <= 0) {
      throw inUse(locations, holder, now, safety);
    }
    if (!safety.resume() && !safety.overwrite()) {
      throw new UserError("--output " + locations.output() + " was being written by " + holder.describe(now)
          + ", which stopped without finishing. Give --resume to finish it, --overwrite to start again, or choose a new --output.");
    }
  }

  /**
   * For commands that write into an output's audit folder without taking it ({@code unseg report}):
   * refused (exit 2) while a live run holds the output, whose own report would race this one.
   */
  public static void refuseWhileHeld(Storage fs, OutputLayout layout, Duration expiry, String command) throws IOException {
    Holder holder = readSettled(fs, layout.lease());
    Instant now = Instant.now();
    if (holder != null && holder.age(now).compareTo(expiry) <= 0) {
      throw new UserError("unseg " + command + ": " + layout.root() + " is being written by " + holder.describe(now)
          + ". Run it again once that run has ended (protect writes the report itself at its end).");
    }
  }

  /** Takes the output for {@code runId}: the first write to the output of a run that passed every check. */
  static OutputLease acquire(Storage fs, Locations locations, RunSafety safety, String runId, PrintStream console)
      throws IOException {
    Path file = locations.layout().lease();
    Instant now = Instant.now();
    Holder mine = new Holder(runId, host(), ProcessHandle.current().pid(), now.toString(), now.toString());
    Holder before = readSettled(fs, file);
    if (before == null) {
      if (!fs.createNew(file, JSON.writeValueAsBytes(mine))) {
        Holder winner = readSettled(fs, file);
        throw inUse(locations, winner == null ? mine : winner, Instant.now(), safety);
      }
    } else if (before.age(now).compareTo(safety.leaseExpiry()) > 0) {
      console.println("unseg: taking over the output from " + before.describe(now) + ": its lease expired (unseg.run.lease-expiry = "
          + safety.leaseExpiry().toSeconds() + " s), so that run is taken to have died");
      fs.publish(file, JSON.writeValueAsBytes(mine));
    } else {
      throw inUse(locations, before, now, safety);
    }
    Holder check = readSettled(fs, file);
    if (check == null || !check.runId().equals(runId)) {
      throw inUse(locations, check == null ? before : check, Instant.now(), safety);
    }
    return new OutputLease(fs, file, mine, safety.leaseExpiry(), console);
  }

  /** Null while this run holds the output; else the run that took it (its driver thought this one dead). */
  String lostTo() {
    return lostTo;
  }

  private void beat() {
    try {
      Holder now = read(fs, file);
      if (now != null && now.unreadable()) {
        // A read cut short (S3A can end a cut response without an error), or a writer mid-write: the next
        // beat reads it again; only a readable lease of another run, or none, means this run lost it.
        LOG.warn("Could not read the output's lease {}; trying again at the next heartbeat", file);
        return;
      }
      if (now == null || !now.runId().equals(mine.runId())) {
        lostTo = now == null ? "nobody (the lease file was deleted)" : now.describe(Instant.now());
        LOG.error("The output's lease {} is no longer this run's ({}): now held by {}", file, mine.runId(), lostTo);
        heartbeat.shutdown();
        return;
      }
      fs.publish(file, JSON.writeValueAsBytes(
          new Holder(mine.runId(), mine.host(), mine.pid(), mine.acquiredAt(), Instant.now().toString())));
    } catch (IOException | RuntimeException e) {
      // A storage hiccup: the next beat tries again; expiry is several beats long.
      LOG.warn("Could not renew the output's lease {}: {}", file, e.toString());
    }
  }

  /**
   * Stops the heartbeat and removes the lease if it is still this run's. The run's outcome is decided
   * before this (a finished run has written _SUCCESS), so a store that fails here does not change it:
   * the lease is tried a few times, then left to expire, and the console says so.
   */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      heartbeat.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int attempt = 1; ; attempt++) {
      try {
        Holder now = read(fs, file);
        if (now != null && now.runId().equals(mine.runId())) {
          fs.delete(file, false);
        }
        return;
      } catch (IOException | RuntimeException e) {
        if (attempt == STORE_ATTEMPTS) {
          LOG.warn("Could not remove the output's lease {}", file, e);
          console.println("unseg: the output's lease " + file + " could not be removed (" + e.getMessage() + "); it expires "
              + expiry.toSeconds() + " s after this run's last heartbeat (unseg.run.lease-expiry), and until then"
              + " another run into this output is refused");
          return;
        }
        LOG.info("Removing the output's lease {} failed (try {} of {}): {}", file, attempt, STORE_ATTEMPTS, e.toString());
      }
    }
  }

  private static UserError inUse(Locations locations, Holder holder, Instant now, RunSafety safety) {
    return new UserError("--output " + locations.output() + " is in use by " + holder.describe(now)
        + ". Two runs must not write one output: wait for that run to end, or choose another --output. If that run"
        + " died, its lease expires " + safety.leaseExpiry().toSeconds() + " s after its last heartbeat"
        + " (unseg.run.lease-expiry), in " + Math.max(1, safety.leaseExpiry().minus(holder.age(now)).toSeconds())
        + " s; then --resume takes the output over.");
  }

  /**
   * {@link #read}, again a few times while the lease is unreadable, so that a start decision (free,
   * taken, in use) does not rest on a read cut short or a writer's half-written file.
   */
  private static Holder readSettled(Storage fs, Path file) throws IOException {
    Holder holder = read(fs, file);
    for (int i = 1; holder != null && holder.unreadable() && i < STORE_ATTEMPTS; i++) {
      try {
        Thread.sleep(200L * i);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      holder = read(fs, file);
    }
    return holder;
  }

  private static Holder read(Storage fs, Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = fs.open(file)) {
      bytes = in.readAllBytes();
    } catch (FileNotFoundException e) {
      return null;
    }
    try {
      return JSON.readValue(bytes, Holder.class);
    } catch (IOException e) {
      // Being written by another run this instant, or cut short by a full disk: its age is the file's.
      Storage.Status status = fs.status(file);
      String written = Instant.ofEpochMilli(status == null ? 0 : status.modified()).toString();
      return new Holder(UNREADABLE, "?", -1, written, written);
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
