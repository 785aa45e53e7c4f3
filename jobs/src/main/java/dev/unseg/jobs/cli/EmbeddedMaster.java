package dev.unseg.jobs.cli;

import dev.unseg.jobs.io.StorageErrors;
import dev.unseg.pipeline.error.UserError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The Spark master of an embedded run (bin/unseg), checked before the session starts and anything is written. */
final class EmbeddedMaster {
  /** Local masters and a standalone cluster's: YARN and Kubernetes need spark-submit and its jars. */
  private static final Pattern EMBEDDED = Pattern.compile("local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?\\])?|spark://\\S+");
  private static final int STANDALONE_PORT = 7077;
  private static final int CONNECT_MILLIS = 10_000;

  private EmbeddedMaster() {}

  /** @throws UserError naming unseg.run.master for a master Spark would fail on, with the fix */
  static void check(String master) {
    if (!EMBEDDED.matcher(master).matches()) {
      throw new UserError("unseg.run.master = '" + master + "' is not valid: it accepts local, local[N] or local[*] (N >= 1"
          + " threads, optionally ,F attempts a task: local[*,4]) or spark://HOST:PORT (a standalone cluster) (flag --master)"
          + (master.startsWith("yarn") || master.startsWith("k8s://")
              ? "; on YARN or Kubernetes submit the shaded jar with spark-submit --master " + master + " (docs/cluster.md)"
              : ""));
    }
    if (master.startsWith("spark://")) {
      checkReachable(master);
    }
  }

  /**
   * A standalone master none of whose addresses accepts a connection: Spark would retry its registration for a
   * minute, return a context it then stops in the background, and the run would fail inside its first job
   * (internal errors such as "Block broadcast_0 does not exist") after writing its settings.
   */
  private static void checkReachable(String master) {
    List<String> failures = new ArrayList<>();
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      int colon = hostPort.lastIndexOf(':');
      try (Socket socket = new Socket()) {
        int port = colon < 0 ? STANDALONE_PORT : Integer.parseInt(hostPort.substring(colon + 1));
        socket.connect(new InetSocketAddress(colon < 0 ? hostPort : hostPort.substring(0, colon), port), CONNECT_MILLIS);
        return;
      } catch (IOException | IllegalArgumentException e) {
        failures.add(hostPort + ": " + StorageErrors.reason(e));
      }
    }
    throw new UserError("cannot reach the Spark master " + master + " (unseg.run.master, --master): " + String.join("; ", failures)
        + ". Check the URL (spark://HOST:7077, as the master's web page shows it) and that the master runs and is reachable"
        + " from this machine.");
  }
}
